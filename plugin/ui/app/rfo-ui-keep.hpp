/* Copies of C strings that stay where they are: a state kept while its view does not exist points into them. */
#pragma once

#include <deque>
#include <string>

class RfoKeptStrings {
public:
	/* A copy of s that lives as long as this object; NULL stays NULL. */
	const char *keep(const char *s)
	{
		if (!s)
			return nullptr;
		strings.emplace_back(s);
		return strings.back().c_str();
	}

private:
	std::deque<std::string> strings; /* a deque never moves its elements when it grows */
};
