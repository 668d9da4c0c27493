# A dpkg status file of about MIB MiB listing N conffiles, ten to a
# package, padded to size by each package's Description, for tests and
# the benchmark of memory against database size:
#   awk -v n=500000 -v mib=56 -f dpkg-status.awk >status
# Conffiles are /etc/pkg-NNNNNN/conf.d/NN-settings-of-this-package.conf.
BEGIN {
	per = 10
	pkgs = int(n / per)
	if (pkgs < 1)
		pkgs = 1
	# bytes of one conffile line and of a stanza's other lines
	line = 91
	head = 70
	pad = int(mib * 1048576 / pkgs) - per * line - head
	if (pad < 1)
		pad = 1
	d = "x"
	while (length(d) < pad)
		d = d d
	d = substr(d, 1, pad)
	for (p = 0; p < pkgs; p++) {
		printf "Package: pkg-%06d\nStatus: install ok installed\n", p
		printf "Version: 1.0-%d\nDescription: %s\nConffiles:\n", p, d
		for (i = 0; i < per; i++)
			printf " /etc/pkg-%06d/conf.d/%02d-settings-of-this-" \
			       "package.conf 0123456789abcdef0123456789abcd%02d\n",
			       p, i, i
		printf "\n"
	}
}
