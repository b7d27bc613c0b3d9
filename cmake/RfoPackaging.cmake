# Debian packages with CPack, for the distribution the build runs on. Configure with -DRFO_SYSTEM_INSTALL=ON
# -DCMAKE_INSTALL_PREFIX=/usr, build, then `cpack -G DEB` in the build dir: restream-for-obs_<v>_amd64.deb and
# restream-for-obs-dbgsym_<v>_amd64.ddeb (packaging/README.md; packaging/deb/test.sh installs them into clean roots).
# Only the component restream-for-obs (the module, its data and these docs) goes into the package: the tests,
# the emulator and the token broker install nothing into it.
set(RFO_PACKAGE_MAINTAINER "restream-for-obs maintainers <maintainers@users.noreply.r-seed-aa3bf3bc.example>"
    CACHE STRING "Maintainer field of the Debian package")

# Debian's own OBS plugins: the module in /usr/lib/<multiarch>/obs-plugins (0644, as dh_fixperms leaves it), its
# data in /usr/share/obs/obs-plugins/<name>, the copyright and changelog in /usr/share/doc/<package>.
set(RFO_DEB_DOC "share/doc/restream-for-obs")
install(FILES "${PROJECT_SOURCE_DIR}/packaging/deb/copyright" DESTINATION "${RFO_DEB_DOC}")
# A native package (no Debian revision, so its version is PROJECT_VERSION itself): the changelog is changelog.gz,
# written from CHANGELOG.md in Debian's format.
set(_rfo_changelog "${PROJECT_BINARY_DIR}/packaging/changelog.gz")
execute_process(
  COMMAND bash "${PROJECT_SOURCE_DIR}/packaging/deb/changelog.sh" "${PROJECT_VERSION}" "${PROJECT_SOURCE_DIR}/CHANGELOG.md"
          "${RFO_PACKAGE_MAINTAINER}" "${_rfo_changelog}"
  RESULT_VARIABLE _rfo_changelog_rc)
if(NOT _rfo_changelog_rc EQUAL 0)
  message(FATAL_ERROR "packaging/deb/changelog.sh failed (${_rfo_changelog_rc})")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/packaging/deb/changelog.sh")
if(EXISTS "${PROJECT_SOURCE_DIR}/CHANGELOG.md")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/CHANGELOG.md")
endif()
install(FILES "${_rfo_changelog}" DESTINATION "${RFO_DEB_DOC}")

# Debian's hardening build flags (dpkg-buildflags): fortified libc calls and immediate binding
add_compile_options(-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2)
add_link_options(-Wl,-z,relro,-z,now)

# The OBS it is built against: libobs' CMake package says 29.0.2.1 for Debian's 29.0.2; the Depends names the
# upstream x.y.z (Debian's "29.0.2+dfsg-1" is newer than "29.0.2").
string(REGEX MATCH "^[0-9]+\\.[0-9]+\\.[0-9]+" RFO_OBS_BUILT_VERSION "${libobs_VERSION}")

set(CPACK_PACKAGE_NAME "restream-for-obs")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "restream-for-obs")
set(CPACK_PACKAGE_CONTACT "${RFO_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Restream for OBS Studio: sign-in, go-live setup, channels, chat, stats")
set(CPACK_PACKAGE_DESCRIPTION
    "Native OBS Studio plugin that connects a Restream account to OBS without an
embedded browser: sign in with the system browser, set OBS up to stream to
Restream in one click (RTMP or SRT), switch destination channels and set
their titles, and follow the merged chat and live stream stats in a dock.
Everything is also reachable over obs-websocket.")
set(CPACK_GENERATOR "DEB")
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};${PROJECT_NAME};restream-for-obs;/")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_SET_DESTDIR ON)
set(CPACK_VERBATIM_VARIABLES ON)
set(CPACK_ARCHIVE_THREADS 0)
set(CPACK_OUTPUT_FILE_PREFIX "${PROJECT_BINARY_DIR}/packages")

set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")
set(CPACK_DEBIAN_PACKAGE_SECTION "video")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${RFO_PACKAGE_MAINTAINER}")
if(PROJECT_HOMEPAGE_URL)
  set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PROJECT_HOMEPAGE_URL}")
endif()
# dpkg-shlibdeps adds the libraries the module links (libobs0, Qt, curl, jansson, libwebsockets, libsecret);
# obs-studio itself is the program that loads it, at least the version it was built against.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "obs-studio (>= ${RFO_OBS_BUILT_VERSION})")
set(CPACK_DEBIAN_PACKAGE_ENHANCES "obs-studio")
# sign-in opens the system browser through xdg-open (Qt's desktop services)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "xdg-utils")
set(CPACK_DEBIAN_DEBUGINFO_PACKAGE ON)
set(CPACK_POST_BUILD_SCRIPTS "${PROJECT_SOURCE_DIR}/packaging/deb/fix-ddeb.cmake")

include(CPack)
