# Every dependency comes from the system; nothing is vendored.
find_package(libobs REQUIRED)
find_package(obs-frontend-api REQUIRED)
find_package(CURL REQUIRED)
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(jansson REQUIRED IMPORTED_TARGET jansson)
# The shared library through pkg-config: libwebsockets' static target is not PIC.
pkg_check_modules(libwebsockets REQUIRED IMPORTED_TARGET libwebsockets)
pkg_check_modules(libsecret IMPORTED_TARGET libsecret-1)

# Qt: the major version OBS itself was built with, read from obsconfig.h, never "whichever is found".
get_target_property(_rfo_obs_includes OBS::libobs INTERFACE_INCLUDE_DIRECTORIES)
find_file(RFO_OBSCONFIG_H obsconfig.h PATHS ${_rfo_obs_includes} NO_DEFAULT_PATH REQUIRED)
file(STRINGS "${RFO_OBSCONFIG_H}" _rfo_qt_line REGEX "^#define OBS_QT_VERSION [0-9]+")
string(REGEX REPLACE ".* ([0-9]+)$" "\\1" RFO_QT_VERSION "${_rfo_qt_line}")
# OBS 30 dropped Qt5 (it builds with Qt6 only) and its obsconfig.h no longer carries OBS_QT_VERSION.
if(NOT RFO_QT_VERSION AND libobs_VERSION VERSION_GREATER_EQUAL 30)
  set(RFO_QT_VERSION 6)
endif()
if(NOT RFO_QT_VERSION)
  message(FATAL_ERROR "obsconfig.h (${RFO_OBSCONFIG_H}) does not say which Qt OBS was built with")
endif()
file(STRINGS "${RFO_OBSCONFIG_H}" _rfo_plugin_dest REGEX "^#define OBS_PLUGIN_DESTINATION ")
string(REGEX REPLACE ".*\"(.*)\".*" "\\1" RFO_OBS_PLUGIN_DESTINATION "${_rfo_plugin_dest}")
file(STRINGS "${RFO_OBSCONFIG_H}" _rfo_data_path REGEX "^#define OBS_DATA_PATH ")
string(REGEX REPLACE ".*\"(.*)\".*" "\\1" RFO_OBS_DATA_PATH "${_rfo_data_path}")
find_package(Qt${RFO_QT_VERSION} REQUIRED COMPONENTS Core Gui Widgets)
message(STATUS "restream-for-obs: OBS built with Qt${RFO_QT_VERSION}; using Qt${RFO_QT_VERSION}")
