# data/manifest.json for OBS 32's plugin manager (libobs' obs_module_load_metadata reads it from the module's
# data folder): the display name, id, version and URLs come from project() so that there is one version.
# Generated into the build tree and installed next to the locale files (user and system layout alike).
set(RFO_DISPLAY_NAME "Restream for OBS")
string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" RFO_MANIFEST_ARCH)
if(RFO_MANIFEST_ARCH MATCHES "^(amd64|x86_64)$")
  set(RFO_MANIFEST_ARCH x86_64)
endif()
configure_file("${CMAKE_CURRENT_LIST_DIR}/templates/manifest.json.in" "${PROJECT_BINARY_DIR}/data/manifest.json" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/data/manifest.json" DESTINATION "${RFO_INSTALL_DATA}")
