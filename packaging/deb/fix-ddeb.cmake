# CPACK_POST_BUILD_SCRIPTS step for the -dbgsym package (cmake/RfoPackaging.cmake). Two things, on the .ddeb only:
# - CMake's DEB generator (3.25, bookworm's) lists the debug file in md5sums under its absolute staging path;
#   dpkg --verify and lintian (md5sums-lists-nonexistent-file) need the path relative to /. Rewritten; a CMake
#   that writes it right leaves nothing to rewrite.
# - /usr/share/doc/<package>-dbgsym is a symlink to /usr/share/doc/<package> (it depends on that exact version),
#   as debhelper makes it, so that the copyright and changelog cover the debug package too.
foreach(_ddeb IN LISTS CPACK_PACKAGE_FILES)
  if(NOT _ddeb MATCHES "\\.ddeb$")
    continue()
  endif()
  set(_dir "${_ddeb}.d")
  file(REMOVE_RECURSE "${_dir}")
  execute_process(COMMAND dpkg-deb -R "${_ddeb}" "${_dir}" COMMAND_ERROR_IS_FATAL ANY)
  file(READ "${_dir}/DEBIAN/md5sums" _sums)
  string(REGEX REPLACE "  /[^\n]*/_CPack_Packages/[^/\n]+/DEB/[^/\n]+/" "  " _sums "${_sums}")
  file(WRITE "${_dir}/DEBIAN/md5sums" "${_sums}")
  # debug files are data, not programs (0644, as dh_strip leaves them)
  file(GLOB_RECURSE _debug_files "${_dir}/usr/lib/debug/*.debug")
  if(_debug_files)
    file(CHMOD ${_debug_files} PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endif()
  set(_doc "${_dir}/usr/share/doc/${CPACK_PACKAGE_NAME}-dbgsym")
  if(NOT EXISTS "${_doc}")
    file(MAKE_DIRECTORY "${_dir}/usr/share/doc")
    file(CREATE_LINK "${CPACK_PACKAGE_NAME}" "${_doc}" SYMBOLIC)
  endif()
  execute_process(COMMAND dpkg-deb --root-owner-group -Zxz -b "${_dir}" "${_ddeb}" OUTPUT_QUIET COMMAND_ERROR_IS_FATAL ANY)
  file(REMOVE_RECURSE "${_dir}")
endforeach()
