# Default: install for the current user, into the folder OBS scans for per-user plugins:
#   $HOME/.config/obs-studio/plugins/restream-for-obs/{bin/64bit,data}
# The prefix keeps "$ENV{HOME}" unexpanded so that cmake_install.cmake reads HOME when it runs:
# `cmake --install build` installs for whoever runs it. `--prefix P` puts the same tree under P.
# RFO_SYSTEM_INSTALL switches to libobs' system layout (e.g. /usr/lib/<arch>/obs-plugins).
# Every install rule of the project belongs to the component restream-for-obs unless it names another one: that
# component is what the Debian package holds (cmake/RfoPackaging.cmake); anything else (a service, a tool) names its
# own COMPONENT.
set(CMAKE_INSTALL_DEFAULT_COMPONENT_NAME restream-for-obs)
set(RFO_INSTALL_MODULE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
if(RFO_SYSTEM_INSTALL)
  set(RFO_INSTALL_BIN "${RFO_OBS_PLUGIN_DESTINATION}")
  set(RFO_INSTALL_DATA "${RFO_OBS_DATA_PATH}/obs-plugins/restream-for-obs")
  # a loadable module is not executed: 0644, as Debian's own OBS plugins are installed
  set(RFO_INSTALL_MODULE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  include(RfoPackaging)
else()
  if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT)
    set(CMAKE_INSTALL_PREFIX "\$ENV{HOME}/.config/obs-studio/plugins"
        CACHE PATH "Install prefix (default: the current user's OBS plugin folder)" FORCE)
  endif()
  set(RFO_INSTALL_BIN "restream-for-obs/bin/64bit")
  set(RFO_INSTALL_DATA "restream-for-obs/data")
endif()
