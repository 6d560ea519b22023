package main

import (
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// distrolessPath is the PATH of gcr.io/distroless/static: "/" is not on it.
var distrolessPath = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}

// README tells operators to run `docker compose exec vigia vigia
// rotate-key` (and reset-2fa): that finds the binary only if the image puts
// it on the PATH, and the entrypoint must be that same file. It was
// copied to /vigia, and the documented commands failed.
func TestDockerImageHasVigiaOnPath(t *testing.T) {
	b, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	m := regexp.MustCompile(`(?m)^COPY --from=build /out/vigia (\S+)$`).FindStringSubmatch(df)
	if m == nil {
		t.Fatal("Dockerfile copies no /out/vigia")
	}
	if path.Base(m[1]) != "vigia" || !slices.Contains(distrolessPath, path.Dir(m[1])) {
		t.Fatalf("the binary is copied to %s, not a directory on the image's PATH as vigia", m[1])
	}
	if !strings.Contains(df, `ENTRYPOINT ["`+m[1]+`"]`) {
		t.Fatalf("ENTRYPOINT is not %s", m[1])
	}
	readme, _ := os.ReadFile("README.md")
	for _, cmd := range []string{"docker compose exec vigia vigia rotate-key", "docker compose exec vigia vigia reset-2fa"} {
		if !strings.Contains(string(readme), cmd) {
			t.Errorf("README does not show %q", cmd)
		}
	}
}

// docker-compose.yml's Redis user and README's give Vigía CONFIG GET back
// after -@dangerous: without it every start warned that persistence could
// not be checked.
func TestComposeACLAllowsConfigGet(t *testing.T) {
	compose, err := os.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`- "-@dangerous"\n\s*- "\+config\|get"`).Match(compose) {
		t.Error("docker-compose.yml: the vigia user's ACL does not allow +config|get after -@dangerous")
	}
	readme, _ := os.ReadFile("README.md")
	if !strings.Contains(string(readme), "+@all -@dangerous +config|get") {
		t.Error("README: the ACL it prescribes lacks +config|get")
	}
}
