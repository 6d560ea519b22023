package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// resetSecondFactor is `vigia reset-2fa platform:id`, run by the operator
// with the bot's environment: it forgets a team member's second-factor key,
// so that one who lost their authenticator can /enroll again. It is the
// way back for members listed in VIGIA_ADMINS or VIGIA_INVESTIGATORS,
// whom /revoke cannot remove (invited members are revoked and invited
// again). The reset is in the audit log.
func resetSecondFactor(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	const usage = "usage: vigia reset-2fa platform:id   (for example telegram:111111111)"
	if len(args) == 1 && isHelp(args[0]) {
		fmt.Fprintln(stdout, usage)
		return 0
	}
	ids, err := commands.ParsePeopleList(strings.Join(args, ","))
	if err != nil || len(ids) != 1 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	cfg, err := loadOpsConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "vigia: %v\n", err)
		return 2
	}
	st, closeStore, code := openStore(ctx, cfg, stderr, 0)
	if st == nil {
		return code
	}
	defer closeStore()
	platform, id, _ := strings.Cut(ids[0], ":")
	// Recorded first: no reset goes unrecorded.
	if err := st.Audit(ctx, storage.AuditEntry{Who: "vigia reset-2fa", Action: "reset-2fa", Args: ids[0]}, cfg.Triage.AuditRetention); err != nil {
		fmt.Fprintf(stderr, "vigia: redis: %s\n", redisReason(err))
		return 1
	}
	had, err := st.ResetSecondFactor(ctx, st.Pseudonym(platform, id))
	if err != nil {
		fmt.Fprintf(stderr, "vigia: redis: %s\n", redisReason(err))
		return 1
	}
	if !had {
		fmt.Fprintf(stdout, "%s had no second factor enrolled; nothing to reset\n", ids[0])
		if role, err := st.Role(ctx, st.Pseudonym(platform, id)); err == nil && role == "" &&
			!slices.Contains(cfg.Admins, ids[0]) && !slices.Contains(cfg.Investigators, ids[0]) {
			// Likely a mistyped id: say so, so it is not taken for done.
			fmt.Fprintf(stdout, "%s is not on the team either (not in VIGIA_ADMINS or VIGIA_INVESTIGATORS, not invited): check the id\n", ids[0])
		}
		return 0
	}
	fmt.Fprintf(stdout, "second factor of %s reset: they send /enroll to the bot in a private chat, then /unlock\n", ids[0])
	return 0
}
