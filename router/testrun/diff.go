package testrun

import "strings"

// diff shows want against got line by line: "- " lines only expected, "+ " lines only
// arrived, "  " lines in both. Values that fit on one line are shown as two lines instead.
func diff(want, got any) string {
	w, g := render(want), render(got)
	if !strings.Contains(w, "\n") && !strings.Contains(g, "\n") {
		return "- expected: " + w + "\n+ arrived:  " + g
	}
	return "--- expected\n+++ arrived\n" + lineDiff(strings.Split(w, "\n"), strings.Split(g, "\n"))
}

// lineDiff is a longest-common-subsequence diff of two lists of lines.
func lineDiff(a, b []string) string {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			out = append(out, "  "+a[i])
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, "- "+a[i])
			i++
		default:
			out = append(out, "+ "+b[j])
			j++
		}
	}
	return strings.Join(out, "\n")
}
