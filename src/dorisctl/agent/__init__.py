"""The dorisctl host agent: standard library only, shipped alone as one zipapp.

It imports nothing from the rest of dorisctl. The manager copies it to a host over SSH and starts it
with the host's ``python3``; it then registers, heartbeats (long-poll), pulls tasks over HTTP with
its own token, runs fixed task types with argument lists and reports results and log tails.
"""

VERSION = "0.1.0"
