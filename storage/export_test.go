package storage

// OpenUnder opens a sealed value with the sealing key of secret alone, for
// tests that check what a leaked old secret can still read.
func OpenUnder(secret, sealed []byte, context string) error {
	kr, err := NewKeyring(secret)
	if err != nil {
		return err
	}
	_, err = open(kr.sealKey, sealed, context)
	return err
}

// StateKey names a reporter's state hash, for tests.
func (s *Store) StateKey(pseudonym string) string { return s.k.state(pseudonym) }

// SmallPostingTails makes searches read posting strings 4 numbers at a
// time, so a test with a few dozen tips needs several rounds.
func SmallPostingTails(t interface{ Cleanup(func()) }) {
	tail, slack := postingTail, postingSlack
	postingTail, postingSlack = 16, 1
	t.Cleanup(func() { postingTail, postingSlack = tail, slack })
}
