#!/usr/bin/env bash
# packaging/deb/changelog.sh VERSION CHANGELOG_MD MAINTAINER OUT.gz — the Debian changelog of the native package
# (/usr/share/doc/restream-for-obs/changelog.gz), written from CHANGELOG.md (Keep a Changelog: "## [x.y.z] -
# YYYY-MM-DD" entries, "- " items, "### Added" headings). Every released entry becomes one Debian entry dated
# that day; without CHANGELOG.md (or without an entry for VERSION) VERSION gets a one-line entry dated today.
# Run by CMake at configure time (cmake/RfoPackaging.cmake). gzip -9n: no name or time stamp in the archive.
set -euo pipefail
version=$1 md=$2 maintainer=$3 out=$4
mkdir -p "$(dirname "$out")"

entries() {
	[ -f "$md" ] || return 0
	awk '
	function flush() {
		if (item != "") { items[n++] = item; item = "" }
	}
	function emit(   i) {
		flush()
		if (ver == "") return
		printf "V\t%s\t%s\n", ver, date
		for (i = 0; i < n; i++) printf "I\t%s\n", items[i]
		n = 0
	}
	/^## \[[0-9]+\.[0-9]+\.[0-9]+\] - [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]/ {
		emit()
		ver = $2; gsub(/[][]/, "", ver); date = $4; section = ""
		next
	}
	/^## / { emit(); ver = ""; next }
	ver == "" { next }
	/^### / { flush(); section = substr($0, 5); next }
	/^[-*] / { flush(); item = (section != "" ? section ": " : "") substr($0, 3); next }
	/^[ \t]+[^ \t]/ && item != "" { s = $0; sub(/^[ \t]+/, "", s); item = item " " s; next }
	/^$/ { flush(); next }
	END { emit() }
	' "$md"
}

write_entry() { # VERSION DATE(YYYY-MM-DD or empty) ITEM...
	local v=$1 d=$2 when
	shift 2
	if [ -n "$d" ]; then
		when=$(LC_ALL=C date -u -R -d "$d 00:00:00 UTC")
	else
		when=$(LC_ALL=C date -u -R ${SOURCE_DATE_EPOCH:+-d "@$SOURCE_DATE_EPOCH"})
	fi
	printf 'restream-for-obs (%s) unstable; urgency=medium\n\n' "$v"
	local it
	for it in "$@"; do
		# Debian changelog lines stay within 80 columns: "  * " then continuation lines indented by 4
		printf '%s\n' "$it" | fold -s -w 74 | sed -e '1s/^/  * /' -e '2,$s/^/    /' -e 's/ *$//'
	done
	printf '\n -- %s  %s\n\n' "$maintainer" "$when"
}

text=$(
	found=0 cur='' curdate='' items=()
	while IFS=$'\t' read -r kind a b; do
		if [ "$kind" = V ]; then
			[ -n "$cur" ] && write_entry "$cur" "$curdate" "${items[@]}"
			cur=$a curdate=$b items=()
			[ "$a" = "$version" ] && found=1
		else
			items+=("$a")
		fi
	done < <(entries)
	if [ "$found" = 0 ]; then
		write_entry "$version" "" "Release $version."
	fi
	[ -n "$cur" ] && write_entry "$cur" "$curdate" "${items[@]}"
	true
)
printf '%s\n' "$text" | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
