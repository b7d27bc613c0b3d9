#pragma once

#include <QList>

class QScrollArea;
class QWidget;

/* A test aid, off unless RFO_GEOMETRY_PROBE is set (read once): every half second, `anchor` is scrolled into view in
 * `scroll` (vertically), and each widget of `widgets` that is shown logs where it is on the screen, once per change, as
 * `geometry probe: <objectName> <x> <y> <width> <height>` (global coordinates). End-to-end tests read these lines to
 * click and type into the dock with xdotool, as a user would. */
void rfoGeometryProbeStart(QScrollArea *scroll, QWidget *anchor, const QList<QWidget *> &widgets);
