#include "rfo-test.h"
int main(void)
{
	return rfo_test_end();
}
