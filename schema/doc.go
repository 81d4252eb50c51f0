// Package schema holds the types of phoenix_lxc's inputs (a container spec,
// a config file of many, the module options), their JSON Schemas (generated
// from the types by go generate and embedded), and the validation of an
// input: the schema first, then the semantic rules a schema cannot express.
// Every problem names the JSON path of the field and the rule it breaks.
package schema
