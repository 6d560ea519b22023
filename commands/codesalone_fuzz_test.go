package commands

import "testing"

// The outage refusal's reading of a text never panics.
func FuzzCodesAloneNeverPanics(f *testing.F) {
	f.Add("vean el video de 2024 https://youtu.be/.")
	f.Add("JCJH-0X19-7ZXF-6YQN https://x.example/?c=**")
	f.Fuzz(func(t *testing.T, s string) {
		codesAlone(s)
	})
}
