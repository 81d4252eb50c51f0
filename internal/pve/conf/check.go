package conf

// Check reports what pct would warn about or refuse in a conf file, with
// line numbers.
func Check(data []byte) []Warning {
	p := parse(data)
	return p.warns
}
