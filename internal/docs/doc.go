// Package docs holds the tests that keep the repository's documents
// (README.md, RELIABILITY.md, BENCHMARKS.md) true to the tree: every test,
// fuzz target, benchmark, conformance case and file they cite exists, and
// the README's API list names every action the operation table serves.
package docs
