/*
 * The thread tree shared by the starter's console (/thredo) and the thredo view of the management
 * service (thredo-admin, Spring Boot Admin): what the thredo actuator endpoint lists, turned into
 * request -> group -> members, and the words each thread is shown with. Plain JavaScript, no
 * dependencies, no DOM: each page renders the model its own way. Exposed as window.ThredoTree.
 */
(function (root) {
  'use strict';

  /** "850 ms", "2.5 s", "3 min 4 s", "1 h 2 min"; negative durations get a minus sign. */
  function fmtDuration(ms) {
    var neg = ms < 0;
    ms = Math.abs(ms);
    var s;
    if (ms < 1000) { s = ms + ' ms'; }
    else if (ms < 60000) { s = (ms / 1000).toFixed(1) + ' s'; }
    else if (ms < 3600000) { s = Math.floor(ms / 60000) + ' min ' + Math.floor((ms % 60000) / 1000) + ' s'; }
    else { s = Math.floor(ms / 3600000) + ' h ' + Math.floor((ms % 3600000) / 60000) + ' min'; }
    return neg ? '-' + s : s;
  }

  /**
   * The forest of the listed threads: a thread whose parent is listed hangs under it, inside a node
   * for the group it belongs to; the others are roots. Nodes are {kind: 'thread', key, thread,
   * children} and {kind: 'group', key, groupId, name, children}; keys stay the same across refreshes.
   * isHidden(thread), if given, leaves out a thread and everything under it.
   */
  function buildForest(threads, isHidden) {
    var byId = new Map();
    threads.forEach(function (t) { byId.set(t.id, t); });
    var hidden = new Set();
    if (isHidden) {
      threads.forEach(function (t) { if (isHidden(t)) { hidden.add(t.id); } });
      var changed = true;
      while (changed) {
        changed = false;
        threads.forEach(function (t) {
          if (!hidden.has(t.id) && hidden.has(t.parentId)) { hidden.add(t.id); changed = true; }
        });
      }
    }
    var children = new Map();   // parent id -> [thread]
    var roots = [];
    threads.forEach(function (t) {
      if (hidden.has(t.id)) { return; }
      if (t.parentId && byId.has(t.parentId)) {
        if (!children.has(t.parentId)) { children.set(t.parentId, []); }
        children.get(t.parentId).push(t);
      } else {
        roots.push(t);
      }
    });
    function nodeOf(t) {
      var kids = children.get(t.id) || [];
      var groups = new Map(); // group id -> group node
      var direct = [];
      kids.forEach(function (k) {
        if (k.groupId) {
          if (!groups.has(k.groupId)) {
            groups.set(k.groupId, { kind: 'group', key: 'g' + t.id + ':' + k.groupId, groupId: k.groupId,
              name: k.groupName || ('group ' + k.groupId), children: [] });
          }
          groups.get(k.groupId).children.push(nodeOf(k));
        } else {
          direct.push(nodeOf(k));
        }
      });
      var out = [];
      groups.forEach(function (g) { out.push(g); });
      return { kind: 'thread', key: 't' + t.id, thread: t, children: out.concat(direct) };
    }
    return roots.map(nodeOf);
  }

  /** The words a thread is shown with at time now (ms since the epoch); empty strings for what it lacks. */
  function describe(t, now) {
    var deadline = 'no deadline';
    if (t.deadline) {
      var left = Date.parse(t.deadline) - now;
      deadline = left >= 0 ? 'deadline in ' + fmtDuration(left) : 'deadline passed ' + fmtDuration(-left) + ' ago';
    }
    return {
      kind: (t.virtual ? 'virtual' : 'platform') + (t.daemon ? ' · daemon' : ''),
      group: t.groupId ? 'group ' + (t.groupName || '') + ' #' + t.groupId : '',
      blocked: t.blockedOn ? 'blocked on ' + t.blockedOn : '',
      age: 'age ' + fmtDuration(t.ageMillis),
      deadline: deadline,
      cancelled: t.cancelRequestedAt ? 'cancel requested ' + fmtDuration(now - Date.parse(t.cancelRequestedAt)) + ' ago' : '',
      confirm: 'Cancel thread #' + t.id + ' "' + t.name + '"? Its blocking calls end with a cancellation; a request answers 503.'
    };
  }

  root.ThredoTree = { fmtDuration: fmtDuration, buildForest: buildForest, describe: describe };
})(typeof window !== 'undefined' ? window : this);
