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

// yamlBlock returns the lines nested under the key path in a YAML file of
// block mappings (as docker-compose.yml is), with comments and blank lines
// dropped, or nil if the path is not there.
func yamlBlock(text string, path ...string) []string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			lines = append(lines, strings.TrimRight(l, " "))
		}
	}
	indent := func(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }
	for _, key := range path {
		if len(lines) == 0 {
			return nil
		}
		found := false
		for i, l := range lines {
			// a key of this block, not of one nested in it
			if indent(l) == indent(lines[0]) && strings.TrimSpace(l) == key+":" {
				end := i + 1
				for end < len(lines) && indent(lines[end]) > indent(l) {
					end++
				}
				lines, found = lines[i+1:end], true
				break
			}
		}
		if !found {
			return nil
		}
	}
	return lines
}

// docker-compose.yml gives Vigía its master secret as a Compose secret, a
// file at /run/secrets/NAME, through VIGIA_SECRET_FILE: it could only
// pass VIGIA_SECRET in the environment, where docker inspect, docker
// compose config and every process in the container see it. The file is
// kept out of git and of the image's build context, and README tells how
// to make it.
func TestComposeGivesTheSecretAsAFile(t *testing.T) {
	b, err := os.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	compose := string(b)
	var file, name string
	for _, l := range yamlBlock(compose, "secrets") {
		if k, ok := strings.CutSuffix(strings.TrimSpace(l), ":"); ok && !strings.Contains(k, " ") {
			name = k
		}
		if f, ok := strings.CutPrefix(strings.TrimSpace(l), "file: "); ok {
			file = strings.TrimPrefix(f, "./")
		}
	}
	if name == "" || file == "" {
		t.Fatalf("docker-compose.yml declares no file secret (top-level secrets: NAME: file: PATH)")
	}
	if !slices.Contains(yamlBlock(compose, "services", "vigia", "secrets"), "      - "+name) {
		t.Errorf("the vigia service is not given the secret %s", name)
	}
	env := yamlBlock(compose, "services", "vigia", "environment")
	if !slices.Contains(env, "      VIGIA_SECRET_FILE: /run/secrets/"+name) {
		t.Errorf("VIGIA_SECRET_FILE is not /run/secrets/%s, where Compose mounts the secret: %q", name, env)
	}
	for _, l := range env {
		if strings.HasPrefix(strings.TrimSpace(l), "VIGIA_SECRET:") {
			t.Errorf("VIGIA_SECRET is set in the environment too (Vigía refuses both): %q", l)
		}
	}
	for _, ignore := range []string{".gitignore", ".dockerignore"} {
		b, _ := os.ReadFile(ignore)
		if !slices.Contains(strings.Split(string(b), "\n"), file) {
			t.Errorf("%s does not leave out the secret's file %s", ignore, file)
		}
	}
	readme, _ := os.ReadFile("README.md")
	if !strings.Contains(string(readme), "go run . keygen > "+file+")") || !strings.Contains(string(readme), "sudo chown 65532 "+file) {
		t.Errorf("README does not say how to make %s, readable by the image's user", file)
	}
	if df, _ := os.ReadFile("Dockerfile"); !strings.Contains(string(df), "\nUSER 65532:65532\n") {
		t.Errorf("the image's user is not 65532, which README tells to chown the secret's file to")
	}
}

// README's setups give the master secret (and the previous one, while
// rotating) as a file, VIGIA_SECRET_FILE, never as an environment
// variable, which every process the bot starts inherits and docker
// inspect, kubectl exec … env or systemctl show print. Its Kubernetes
// paragraph once put "the VIGIA_* values in a Secret" (as environment
// variables), its quick start exported VIGIA_SECRET and its Compose
// rotation put VIGIA_SECRET_PREVIOUS in .env.
func TestReadmeGivesTheSecretsAsFiles(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	// A value given to the variable itself: `export VIGIA_SECRET=…`, a
	// `.env` or EnvironmentFile line, a YAML `VIGIA_SECRET: …` or
	// `name: VIGIA_SECRET`.
	set := regexp.MustCompile(`(?m)(^|[\s'"])(export\s+)?VIGIA_SECRET(_PREVIOUS)?(=|:\s)|name:\s*VIGIA_SECRET(_PREVIOUS)?\s*$`)
	inBlock := false
	for i, l := range strings.Split(readme, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			inBlock = !inBlock
			continue
		}
		if inBlock && set.MatchString(l) {
			t.Errorf("README.md:%d sets the secret in the environment: %q", i+1, l)
		}
	}
	_, k8s, _ := strings.Cut(readme, "**Kubernetes**")
	k8s, _, _ = strings.Cut(k8s, "\n**")
	if !strings.Contains(k8s, "VIGIA_SECRET_FILE") || strings.Contains(k8s, "`VIGIA_*` values in a Secret") {
		t.Errorf("README's Kubernetes paragraph does not give the secret as a mounted file (VIGIA_SECRET_FILE)")
	}
	if !strings.Contains(readme, "VIGIA_SECRET_PREVIOUS_FILE: /run/secrets/vigia_secret_previous") {
		t.Errorf("README's Compose rotation does not give the previous secret as a Compose secret")
	}
}

// Rotation's last step with Compose ended "and restart": `docker compose
// restart` keeps the configuration the container was made with, so the
// bot went on with the previous secret (VIGIA_SECRET_PREVIOUS_FILE, its
// file deleted from the host). Only `docker compose up -d` recreates it.
func TestReadmeRotationEndsWithComposeUp(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, step, ok := strings.Cut(string(b), "\n3. When it reports `unreadable: 0`")
	if !ok {
		t.Fatal("README.md: rotation's step 3 not found")
	}
	step, _, _ = strings.Cut(step, "\n\n")
	if _, compose, ok := strings.Cut(step, "Compose"); !ok || !strings.Contains(compose, "docker compose up -d") {
		t.Errorf("README.md: rotation's step 3 does not tell a Compose user to run docker compose up -d: %q", step)
	}
}
