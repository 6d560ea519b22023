// Package tips is Vigía's pure domain: a tip and its parts, categories and
// statuses, receipt codes, link defanging and text neutralisation. It does no
// I/O; storage seals and stores what it defines, commands shows it.
package tips
