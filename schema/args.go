package schema

// ParseArgs validates module options (the args without _ansible_* keys):
// the schema, control characters, and how options combine. The container
// specs themselves are checked later, with the fleet (CheckFleet).
func ParseArgs(args map[string]any) (*Options, Problems) {
	if err := load(); err != nil {
		return nil, Problems{{Rule: err.Error()}}
	}
	var ps Problems
	commaList(args, "ctids")
	coerce(compiled.argsTree, args)
	checkStrings(args, "", &ps)
	ps = append(ps, validateTree(compiled.args, compiled.argsTree, withoutSettings(args))...)
	var o Options
	if ps = decodeInto(args, &o, ps); len(ps) > 0 {
		return nil, ps
	}
	checkOptions(&o, &ps)
	return &o, ps.inFile("")
}

func checkOptions(o *Options, ps *Problems) {
	switch {
	case o.ConfigFile == "" && o.Container == nil && o.State != "absent":
		ps.add("config_file", "is required unless container is given (the spec comes from one of them) or state is absent")
	case o.ConfigFile != "" && o.Container != nil:
		ps.add("container", "give config_file or container, not both")
	case o.ConfigFile == "" && o.Container == nil && o.CTIDs != nil && o.CTIDs.All:
		ps.add("ctids", "all means every container of config_file, and none is given: list the CTIDs")
	}
	switch {
	case o.CTID == nil && o.CTIDs == nil:
		ps.add("ctid", "is required unless ctids is given (which containers to converge)")
	case o.CTID != nil && o.CTIDs != nil:
		ps.add("ctids", "give ctid or ctids, not both")
	case o.Container != nil && o.CTID == nil:
		ps.add("ctid", "is required with container (the inline spec's CTID)")
	}
	if o.CTIDs != nil && !o.CTIDs.All && len(o.CTIDs.List) == 0 {
		ps.add("ctids", "is empty: list CTIDs or write all")
	}
	for i, c := range listOf(o.CTIDs) {
		if c < MinCTID || c > MaxCTID {
			ps.add(join("ctids", i), "CTID %d is out of range %d..%d", c, MinCTID, MaxCTID)
		}
	}
	for name, dir := range map[string]string{
		"feature_script_dir":     o.FeatureScriptDir,
		"application_script_dir": o.ApplicationScriptDir,
		"config_file":            o.ConfigFile,
		"hypervisor_config_file": o.HypervisorConfigFile,
	} {
		if dir != "" {
			notOption(name, dir, ps)
		}
	}
	for name, dir := range map[string]string{"feature_script_dir": o.FeatureScriptDir, "application_script_dir": o.ApplicationScriptDir} {
		if dir != "" {
			absClean(name, dir, ps)
		}
	}
}

func listOf(s *CTIDSet) []CTID {
	if s == nil {
		return nil
	}
	return s.List
}
