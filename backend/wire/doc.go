// Package wire holds the JSON documents of Veikart's HTTP API, one Go type
// per document of schemas/ (a Roadmap is roadmap.schema.json, a
// CreateGrantRequest create-grant-request.schema.json ...), and their
// conversion to and from the domain. The server (package api) encodes and
// decodes with them, and so do Go clients of the API (cmd/veikart's admin
// commands), so that neither writes the contract twice.
//
// The domain carries no json tags of its own for these documents, so that
// the wire can change version without the domain, and the domain without
// the wire. The schemas are the contract: the server validates every body
// against them before it decodes into these types, and tests check every
// answer against them.
package wire
