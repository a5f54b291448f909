"""SMS backends: console and file for development and tests, Alibaba Cloud and Tencent Cloud."""
