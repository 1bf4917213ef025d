"""The dorisctl manager: installs and operates Doris clusters on hosts over SSH plus a pull agent."""
