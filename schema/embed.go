package schema

import _ "embed"

//go:generate go run ./gen .

// File names of the generated schemas, beside this file.
const (
	ConfigSchemaFile = "lxc_configs.schema.json"
	ArgsSchemaFile   = "module_args.schema.json"
)

// CTIDKeyPattern is what a CTID written as a string (a key of lxc_configs,
// or "900") must look like: canonical decimal, so two spellings ("960",
// "0960") never name one container. The range is checked separately.
const CTIDKeyPattern = "^[1-9][0-9]*$"

// CTIDListPattern is the ctids option written as one string, "7030,7031"
// (a survey's answer). It is split into a list before validation
// (commaList); the pattern only documents the form in the schema.
const CTIDListPattern = "^ *[1-9][0-9]*( *, *[1-9][0-9]*)* *$"

// ConfigSchema is the JSON Schema of a config file (phoenix_lxc_configs.json),
// generated from the Go types by go generate.
//
//go:embed lxc_configs.schema.json
var ConfigSchema []byte

// ArgsSchema is the JSON Schema of the module options, generated from the Go
// types by go generate.
//
//go:embed module_args.schema.json
var ArgsSchema []byte
