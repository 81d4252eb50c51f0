# -*- coding: utf-8 -*-
# Copyright: phoenix-hypervisor maintainers
# MIT License (see galaxy.yml)
"""Action plugin of phoenix.hypervisor.phoenix_lxc.

The module is a static Go binary, shipped for linux amd64 and arm64 in the
collection's binaries/ folder (with their sha256 in binaries/SHA256SUMS).
This plugin runs the binary for the target's architecture from a root-only
cache folder on the target, named by its sha256, and pipes the module's
args on stdin: a converged task is one remote command and sends no binary.

  * architecture: the task variable phoenix_lxc_binary_arch, else the
    gathered fact ansible_facts.architecture, else the target's uname -m
    (run in the same remote command);
  * cache folder: the task variable phoenix_lxc_cache_dir (default
    /var/cache/phoenix_lxc), made 0700; a folder that is a symlink, not
    root's, or writable by group or others is refused;
  * the cached file is checked with sha256sum before every run; a missing
    or different file is uploaded (through the connection's file transfer
    into Ansible's remote temp folder) and replaced, then run;
  * async tasks take Ansible's own way for binary modules (the binary and an
    args file in the remote temp folder, run by async_wrapper, which needs
    Python on the target); only the binary is this plugin's choice there.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import shlex

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.action import ActionBase
from ansible.utils.unsafe_proxy import wrap_var
from ansible.utils.vars import merge_hash
from ansible.vars.clean import remove_internal_keys

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARIES = os.path.join(COLLECTION_ROOT, 'binaries')
# what uname -m (or ansible_facts.architecture) says -> the Go architecture
ARCHES = {'x86_64': 'amd64', 'amd64': 'amd64', 'aarch64': 'arm64', 'arm64': 'arm64'}
DEFAULT_CACHE_DIR = '/var/cache/phoenix_lxc'
MISS = 'PHOENIX_LXC_CACHE_MISS'


def read_sums():
    """The sha256 of each shipped binary, by Go architecture."""
    sums = {}
    path = os.path.join(BINARIES, 'SHA256SUMS')
    try:
        with open(path) as f:
            for line in f:
                digest, dummy, name = line.strip().partition("  ")
                arch = name[len('phoenix_lxc_linux_'):]
                if re.match(r'^[0-9a-f]{64}$', digest) and arch in ARCHES.values():
                    sums[arch] = digest
    except (IOError, OSError) as e:
        raise AnsibleActionFail('phoenix_lxc: cannot read %s (%s); build the collection with make collection' % (path, e))
    return sums


def fail_json(msg):
    """A shell word that prints a failed module result with msg."""
    return shlex.quote(json.dumps({'failed': True, 'changed': False, 'msg': msg}))


class ActionModule(ActionBase):

    TRANSFERS_FILES = False  # the binary is uploaded only when the cache misses

    def run(self, tmp=None, task_vars=None):
        self._supports_check_mode = True
        self._supports_async = True
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        sums = read_sums()
        target_vars = task_vars
        if self._task.delegate_to:
            # the delegated host's own vars (they include the task's vars)
            target_vars = task_vars.get('ansible_delegated_vars', {}).get(self._task.delegate_to, task_vars)
        arch = self._known_arch(target_vars)
        try:
            if self._task.async_val:
                return merge_hash(result, self._run_async(task_vars, arch, sums))
            cache_dir = self._cache_dir(target_vars)
            args = self._task.args.copy()
            self._update_module_args(self._task.action, args, task_vars)
            res = self._low_level_execute_command(self._script(cache_dir, arch, sums), in_data=to_bytes(json.dumps(args)))
            miss = self._miss(res)
            if miss is not None:
                res = self._upload_and_run(cache_dir, miss, sums, args)
            data = self._parse_returned_data(res)
            remove_internal_keys(data)
            return merge_hash(result, wrap_var(data))
        finally:
            if not self._task.async_val:
                self._remove_tmp_path(self._connection._shell.tmpdir)

    def _var(self, task_vars, name):
        value = task_vars.get(name)
        return None if value is None else to_text(self._templar.template(value)).strip()

    def _known_arch(self, target_vars):
        """The target's Go architecture from the override or the facts, or
        None when only the target's uname -m can tell."""
        arch = self._var(target_vars, 'phoenix_lxc_binary_arch')
        if not arch:
            arch = to_text(target_vars.get('ansible_facts', {}).get('architecture', '')).strip()
        if not arch:
            return None
        if arch not in ARCHES:
            raise AnsibleActionFail('phoenix_lxc: architecture %r: the collection ships the module for linux %s only'
                                    ' (phoenix_lxc_binary_arch overrides the facts)' % (arch, ' and '.join(sorted(set(ARCHES.values())))))
        return ARCHES[arch]

    def _cache_dir(self, target_vars):
        d = self._var(target_vars, 'phoenix_lxc_cache_dir') or DEFAULT_CACHE_DIR
        if not d.startswith('/') or os.path.normpath(d) != d or d == '/' or re.search(r'[\x00-\x1f\x7f]', d):
            raise AnsibleActionFail('phoenix_lxc_cache_dir: %r is not an absolute, clean folder' % d)
        return d

    def _binary(self, arch):
        path = os.path.join(BINARIES, 'phoenix_lxc_linux_' + arch)
        if not os.path.isfile(path):
            raise AnsibleActionFail('phoenix_lxc: %s is missing from the collection' % path)
        return path

    def _script(self, cache_dir, arch, sums, upload=None):
        """One sh script for the target: pick the binary by architecture,
        install the uploaded copy when upload names one, check the cache
        folder and the file's sha256, and run it with the args on stdin;
        otherwise print MISS and the architecture seen."""
        q = shlex.quote
        lines = [
            'd=%s' % q(cache_dir),
            'm=%s' % q(arch or ''),
            '[ -n "$m" ] || m=$(uname -m)',
            'case $m in',
            'x86_64|amd64) s=%s ;;' % q(sums.get('amd64', 'none')),
            'aarch64|arm64) s=%s ;;' % q(sums.get('arm64', 'none')),
            '*) echo "%s $m"; exit 0 ;;' % MISS,
            'esac',
            'f="$d/$s"',
            # root's, a folder, no symlink, not writable by group or others
            'ok() { [ ! -L "$d" ] && [ -d "$d" ] && case $(stat -c %u:%A "$d" 2>/dev/null) in 0:d????-??-?) true ;; *) false ;; esac; }',
        ]
        if upload:
            why = 'phoenix_lxc: the cache folder %s is refused: it must be a folder of root\'s (not a symlink), not writable by group or others' % cache_dir
            made = 'phoenix_lxc: cannot make the cache folder %s or write the binary there (phoenix_lxc needs root: become: true)' % cache_dir
            lines += [
                'umask 077',
                '[ -e "$d" ] || [ -L "$d" ] || mkdir -p "$d" 2>/dev/null || { echo %s; exit 1; }' % fail_json(made),
                'ok || { echo %s; exit 1; }' % fail_json(why),
                # a name of this shell's own, so two runs uploading at once do not mix their copies
                'n="$d/.$s.$$"',
                'cp %s "$n" 2>/dev/null && chmod 0700 "$n" && mv -f "$n" "$d/$s" || { rm -f "$n"; echo %s; exit 1; }'
                % (q(upload), fail_json(made)),
            ]
        env = self._compute_environment_string()
        lines += [
            'if ok && [ "$(sha256sum "$f" 2>/dev/null | cut -c1-64)" = "$s" ]; then %s exec "$f" -; fi' % env,
        ]
        if upload:
            lines.append('echo %s; exit 1' % fail_json(
                'phoenix_lxc: the binary copied to %s does not have the sha256 the collection lists (or sha256sum is missing on the target)' % cache_dir))
        else:
            lines.append('echo "%s $m"' % MISS)
        return '\n'.join(lines)

    @staticmethod
    def _miss(res):
        """The architecture the target reported when its cache missed."""
        out = to_text(res.get('stdout', '')).strip()
        if out.startswith(MISS + ' ') and '\n' not in out:
            return out[len(MISS) + 1:]
        return None

    def _upload_and_run(self, cache_dir, seen, sums, args):
        if seen not in ARCHES:
            raise AnsibleActionFail('phoenix_lxc: the target is %r: the collection ships the module for linux amd64 and arm64 only' % seen)
        arch = ARCHES[seen]
        tmpdir = self._connection._shell.tmpdir or self._make_tmp_path()
        remote = self._connection._shell.join_path(tmpdir, 'phoenix_lxc')
        # Only root can use the copy (the cache folder is root's): the
        # permissions are left as Ansible made them, for the login user.
        self._transfer_file(self._binary(arch), remote)
        return self._low_level_execute_command(self._script(cache_dir, arch, sums, upload=remote), in_data=to_bytes(json.dumps(args)))

    def _run_async(self, task_vars, arch, sums):
        """async: Ansible's own path for binary modules, with this target's
        binary."""
        if arch is None:
            res = self._low_level_execute_command('uname -m', sudoable=False)
            arch = self._known_arch({'ansible_facts': {'architecture': to_text(res.get('stdout', '')).strip()}})
        self._async_binary = self._binary(arch)
        wrap_async = not self._connection.has_native_async
        return self._execute_module(task_vars=task_vars, wrap_async=wrap_async)

    def _configure_module(self, module_name, module_args, task_vars):
        binary = getattr(self, '_async_binary', None)
        if binary and module_name == self._task.action:
            with open(binary, 'rb') as f:
                return 'binary', None, f.read(), binary
        return super(ActionModule, self)._configure_module(module_name, module_args, task_vars)
