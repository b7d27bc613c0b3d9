#include "rfo-chat-list.hpp"

#include <obs-module.h>
#include <util/platform.h>

#include "rfo-log.h"

#include <QKeyEvent>
#include <QScrollBar>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <time.h>

#define PROFILE_WINDOW_NS 5000000000ULL
#define PROFILE_MAX_SAMPLES 100000
#define SLOW_TURN_NS 10000000 /* single events longer than this are logged one by one */

namespace {
struct profile {
	bool on = false;
	uint64_t windowStart = 0;
	std::vector<qint64> samples[RFO_CHAT_PROFILE_PARTS];
	qint64 cpuMax[RFO_CHAT_PROFILE_PARTS] = {}; /* this window's longest sample in the UI thread's CPU time */
	qint64 cpuSum[RFO_CHAT_PROFILE_PARTS] = {};
	long long rows = 0;
	size_t pendingMax = 0, pendingLast = 0;
	qint64 runMax[RFO_CHAT_PROFILE_PARTS] = {};
};
} // namespace

static profile &prof()
{
	static profile p = []() {
		profile q;
		const char *env = getenv("RFO_CHAT_PROFILE");
		q.on = env && *env && strcmp(env, "0") != 0;
		return q;
	}();
	return p;
}

RfoChatList::RfoChatList(QWidget *parent) : QListView(parent) {}

static void report(profile &p, uint64_t now);

RfoChatList::~RfoChatList()
{
	profile &p = prof();
	if (p.on && p.windowStart)
		report(p, os_gettime_ns());
}

bool RfoChatList::profiling()
{
	return prof().on;
}

static void report(profile &p, uint64_t now)
{
	static const char *names[RFO_CHAT_PROFILE_PARTS] = {"add", "flush", "list", "viewport"};
	char line[1024];
	size_t used = 0;
	for (int i = 0; i < RFO_CHAT_PROFILE_PARTS; i++) {
		std::vector<qint64> &s = p.samples[i];
		std::sort(s.begin(), s.end());
		qint64 sum = 0;
		for (qint64 v : s)
			sum += v;
		const qint64 max = s.empty() ? 0 : s.back();
		const qint64 p99 = s.empty() ? 0 : s[std::min(s.size() - 1, s.size() * 99 / 100)];
		p.runMax[i] = std::max(p.runMax[i], max);
		used += (size_t)snprintf(
			line + used, sizeof(line) - used,
			"%s%s n=%zu max=%.2f p99=%.2f sum=%.1f ms (run max %.2f; CPU max %.2f sum %.1f)", i ? "; " : "",
			names[i], s.size(), max / 1e6, p99 / 1e6, sum / 1e6, p.runMax[i] / 1e6, p.cpuMax[i] / 1e6,
			p.cpuSum[i] / 1e6);
		p.cpuMax[i] = p.cpuSum[i] = 0;
		if (used >= sizeof(line))
			break;
		s.clear();
	}
	rfo_log_sub(LOG_INFO, "chat", "profile %.1f s, %lld rows (waiting in the view: at most %zu, last %zu): %s",
		    (now - p.windowStart) / 1e9, p.rows, p.pendingMax, p.pendingLast, line);
	p.rows = 0;
	p.pendingMax = p.pendingLast;
	p.windowStart = now;
}

qint64 RfoChatList::cpuNow()
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (qint64)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

qint64 RfoChatList::record(enum rfo_chat_profile_part part, uint64_t wallStart, qint64 cpuStart, int rows)
{
	profile &p = prof();
	if (!p.on)
		return 0;
	const uint64_t now = os_gettime_ns();
	const qint64 ns = (qint64)(now - wallStart), cpu = cpuNow() - cpuStart;
	if (!p.windowStart)
		p.windowStart = now;
	if (p.samples[part].size() < PROFILE_MAX_SAMPLES)
		p.samples[part].push_back(ns);
	p.cpuMax[part] = std::max(p.cpuMax[part], cpu);
	p.cpuSum[part] += cpu;
	p.rows += rows;
	if (now - p.windowStart >= PROFILE_WINDOW_NS)
		report(p, now);
	return ns;
}

void RfoChatList::notePending(size_t rows)
{
	profile &p = prof();
	p.pendingLast = rows;
	p.pendingMax = std::max(p.pendingMax, rows);
}

void RfoChatList::updateGeometries()
{
	QListView::updateGeometries();
	emit laidOut();
}

static int inViewport; /* the viewport's paint reaches event() through QAbstractScrollArea: counted once */

bool RfoChatList::event(QEvent *e)
{
	if (!prof().on || inViewport)
		return QListView::event(e);
	const uint64_t t0 = os_gettime_ns();
	const qint64 c0 = cpuNow();
	const int type = (int)e->type();
	const bool r = QListView::event(e);
	const qint64 cpu = cpuNow() - c0;
	const qint64 ns = record(RFO_CHAT_PROFILE_LIST, t0, c0);
	if (ns > SLOW_TURN_NS)
		rfo_log_sub(LOG_INFO, "chat", "profile: a list event of type %d took %.2f ms (CPU %.2f ms)", type,
			    ns / 1e6, cpu / 1e6);
	return r;
}

void RfoChatList::keyPressEvent(QKeyEvent *e)
{
	QAbstractSlider::SliderAction action = QAbstractSlider::SliderNoAction;
	if (e->modifiers() == Qt::NoModifier || e->modifiers() == Qt::KeypadModifier) {
		switch (e->key()) {
		case Qt::Key_Up:
			action = QAbstractSlider::SliderSingleStepSub;
			break;
		case Qt::Key_Down:
			action = QAbstractSlider::SliderSingleStepAdd;
			break;
		case Qt::Key_PageUp:
			action = QAbstractSlider::SliderPageStepSub;
			break;
		case Qt::Key_PageDown:
			action = QAbstractSlider::SliderPageStepAdd;
			break;
		case Qt::Key_Home:
			action = QAbstractSlider::SliderToMinimum;
			break;
		case Qt::Key_End:
			action = QAbstractSlider::SliderToMaximum;
			break;
		default:
			break;
		}
	}
	if (action == QAbstractSlider::SliderNoAction) {
		QListView::keyPressEvent(e);
		return;
	}
	verticalScrollBar()->triggerAction(action);
	e->accept();
}

bool RfoChatList::viewportEvent(QEvent *e)
{
	if (!prof().on)
		return QListView::viewportEvent(e);
	const uint64_t t0 = os_gettime_ns();
	const qint64 c0 = cpuNow();
	inViewport++;
	const bool r = QListView::viewportEvent(e);
	inViewport--;
	record(RFO_CHAT_PROFILE_VIEWPORT, t0, c0);
	return r;
}
