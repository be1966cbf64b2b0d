// Package schemas holds the wire contract of the Veikart API: a JSON Schema
// (draft 2020-12) for every document and request body, and the OpenAPI 3.1
// document that references them. The files are the source of truth; the
// server validates requests against them, the web app reads the same files,
// and the API tests check responses against them.
//
// Every schema has an absolute $id under https://veikart.no/schemas/ and
// refers to the others by relative $ref, so a tool that loads the files from
// this directory (or from FS) resolves the references without a network.
package schemas

import "embed"

// FS holds openapi.json and every *.schema.json file, at the root of the FS.
//
//go:embed *.json
var FS embed.FS
