/* replaced as soon as plugin/net has its first transport */
int rfo_net_placeholder(void);
int rfo_net_placeholder(void) { return 0; }
