/*
 * The thredo view of the management service, against Spring Boot Admin's UI extension API (SBA.use,
 * viewRegistry.addView; Vue 3 from globalThis.Vue, render functions, no build step):
 * - a "thredo" tab on every instance that exposes the thredo endpoint: its live threads as the
 *   console shows them (request -> group -> members, state, blocked on, age, deadline, stuck), each
 *   with a cancel button that asks for confirmation, all through SBA's instance proxy;
 * - a "thredo fleet" page: the stuck threads and the oldest requests of every instance, with it.
 * Neither shows the listing requests the view itself sends (GET /actuator/thredo), as the console
 * hides its own.
 * The tree and its words come from thredo-tree.js, the file the starter's console uses (copied here
 * at build time). Requests go through SBA's axios instances, which carry the session and the CSRF
 * token.
 */
/* global SBA, Vue, ThredoTree */
(function () {
  'use strict';

  var h = Vue.h;
  var REFRESH_MS = 1000;
  var LIMIT = 1000;
  var OLDEST = 10;

  /** Polls fn every REFRESH_MS while the component is mounted. */
  function usePolling(fn) {
    var timer = null;
    Vue.onMounted(function () { fn(); timer = setInterval(fn, REFRESH_MS); });
    Vue.onBeforeUnmount(function () { clearInterval(timer); });
  }

  function listThreads(instance) {
    return instance.axios.get('actuator/thredo', { params: { limit: LIMIT }, headers: { Accept: 'application/json' } })
      .then(function (response) { return response.data.threads || []; });
  }

  /** The listing requests themselves (this view's polling, through SBA's proxy): not shown. */
  function isListing(t) {
    return /^GET \/actuator\/thredo(\?|$)/.test(t.name || '');
  }

  /** A request thread ("GET /path"), not a task or a thread spawned by hand. */
  function isRequest(t) {
    return /^[A-Z]+ \//.test(t.name || '') && !isListing(t);
  }

  function failure(e) {
    var r = e && e.response;
    return r ? 'HTTP ' + r.status + ' ' + ((r.data && (r.data.detail || r.data.title)) || '') : String(e);
  }

  function threadRow(t, now, onCancel) {
    var words = ThredoTree.describe(t, now);
    return h('div', { class: 'thredo-row' }, [
      h('span', { class: 'thredo-badge thredo-state-' + t.state }, t.state),
      h('span', { class: 'thredo-name' }, t.name),
      h('span', { class: 'thredo-meta' }, '#' + t.id),
      h('span', { class: 'thredo-meta' }, words.kind),
      h('span', { class: 'thredo-meta' }, words.blocked),
      h('span', { class: 'thredo-spacer' }),
      t.stuck ? h('span', { class: 'thredo-badge thredo-stuck' }, 'STUCK') : null,
      h('span', { class: 'thredo-meta' }, words.cancelled),
      h('span', { class: 'thredo-meta' }, words.age),
      h('span', { class: 'thredo-meta', title: t.deadline || '' }, words.deadline),
      onCancel ? h('button', { class: 'thredo-cancel', type: 'button', onClick: function () { onCancel(t); } }, 'Cancel') : null
    ]);
  }

  function renderTree(nodes, now, onCancel) {
    return h('ul', { class: 'thredo-tree' }, nodes.map(function (n) {
      if (n.kind === 'group') {
        return h('li', { key: n.key, class: 'thredo-group', 'data-group-id': n.groupId }, [
          h('div', { class: 'thredo-row' }, [h('span', { class: 'thredo-meta' }, 'group'), h('span', { class: 'thredo-name' }, n.name),
            h('span', { class: 'thredo-meta' }, '#' + n.groupId + ' · ' + n.children.length + ' member' + (n.children.length === 1 ? '' : 's'))]),
          renderTree(n.children, now, onCancel)
        ]);
      }
      var t = n.thread;
      return h('li', { key: n.key, class: 'thredo-thread', 'data-thread-id': t.id, 'data-thread-name': t.name, 'data-state': t.state },
        [threadRow(t, now, onCancel), renderTree(n.children, now, onCancel)]);
    }));
  }

  /** The thredo tab of one instance. */
  var InstanceView = {
    name: 'ThredoInstanceView',
    props: { instance: { type: Object, required: true } },
    setup: function (props) {
      var threads = Vue.ref([]);
      var error = Vue.ref(null);
      var loaded = Vue.ref(false);
      function refresh() {
        return listThreads(props.instance)
          .then(function (list) { threads.value = list; error.value = null; loaded.value = true; })
          .catch(function (e) { error.value = 'list failed: ' + failure(e); });
      }
      function cancel(t) {
        if (!window.confirm(ThredoTree.describe(t, Date.now()).confirm)) { return; }
        props.instance.axios.post('actuator/thredo/' + encodeURIComponent(t.id) + '/cancel')
          .then(refresh)
          .catch(function (e) {
            error.value = e.response && e.response.status === 404 ? 'thread #' + t.id + ' has already ended.' : 'cancel failed: ' + failure(e);
          });
      }
      usePolling(refresh);
      return function () {
        var forest = ThredoTree.buildForest(threads.value, isListing);
        return h('section', { class: 'thredo-view', 'data-loaded': String(loaded.value) }, [
          error.value ? h('div', { class: 'thredo-error', role: 'alert' }, error.value) : null,
          forest.length ? renderTree(forest, Date.now(), cancel) : h('p', { class: 'thredo-empty' }, 'No live threads.')
        ]);
      };
    }
  };

  /** Across all instances: the stuck threads and the oldest requests, each with its instance. */
  var FleetView = {
    name: 'ThredoFleetView',
    setup: function () {
      var store = SBA.useApplicationStore();
      var rows = Vue.ref([]);   // {instance, thread}
      var errors = Vue.ref([]);
      function instances() {
        var out = [];
        (store.applications.value || []).forEach(function (app) {
          (app.instances || []).forEach(function (i) { if (i.hasEndpoint && i.hasEndpoint('thredo')) { out.push(i); } });
        });
        return out;
      }
      function refresh() {
        var all = instances();
        return Promise.all(all.map(function (instance) {
          return listThreads(instance)
            .then(function (list) { return { instance: instance, threads: list }; })
            .catch(function (e) { return { instance: instance, error: failure(e) }; });
        })).then(function (results) {
          var collected = [];
          var failed = [];
          results.forEach(function (r) {
            if (r.error) { failed.push(label(r.instance) + ': ' + r.error); return; }
            var byId = new Set(r.threads.map(function (t) { return t.id; }));
            r.threads.forEach(function (t) {
              var root = !t.parentId || !byId.has(t.parentId);
              collected.push({ instance: r.instance, thread: t, root: root });
            });
          });
          rows.value = collected;
          errors.value = failed;
        });
      }
      function label(instance) {
        return instance.registration.name + ' ' + (instance.registration.serviceUrl || instance.id);
      }
      function table(title, cls, list, now) {
        return h('section', { class: 'thredo-fleet-section ' + cls }, [
          h('h2', null, title + ' (' + list.length + ')'),
          list.length === 0 ? h('p', { class: 'thredo-empty' }, 'None.') : h('ul', { class: 'thredo-tree' }, list.map(function (r) {
            return h('li', { key: r.instance.id + ':' + r.thread.id, class: 'thredo-thread', 'data-instance-id': r.instance.id,
              'data-thread-id': r.thread.id, 'data-thread-name': r.thread.name }, [
              h('div', { class: 'thredo-row' }, [
                h('a', { class: 'thredo-instance', href: 'instances/' + r.instance.id + '/thredo' }, label(r.instance))
              ]),
              threadRow(r.thread, now, null)
            ]);
          }))
        ]);
      }
      usePolling(refresh);
      return function () {
        var now = Date.now();
        var stuck = rows.value.filter(function (r) { return r.thread.stuck; });
        var oldest = rows.value.filter(function (r) { return r.root && isRequest(r.thread); })
          .sort(function (a, b) { return b.thread.ageMillis - a.thread.ageMillis; })
          .slice(0, OLDEST);
        return h('div', { class: 'thredo-view thredo-fleet' }, [
          h('h1', null, 'thredo fleet'),
          errors.value.length ? h('div', { class: 'thredo-error', role: 'alert' }, errors.value.join(' · ')) : null,
          table('Stuck threads', 'thredo-stuck-threads', stuck, now),
          table('Oldest requests', 'thredo-oldest', oldest, now)
        ]);
      };
    }
  };

  SBA.use({
    install: function (sba) {
      sba.viewRegistry.addView({
        name: 'instances/thredo',
        parent: 'instances',
        path: 'thredo',
        component: InstanceView,
        label: 'thredo',
        order: 1000,
        isEnabled: function (ctx) { return ctx.instance.hasEndpoint('thredo'); }
      });
      sba.viewRegistry.addView({
        name: 'thredo-fleet',
        path: '/thredo-fleet',
        component: FleetView,
        label: 'thredo fleet',
        handle: 'thredo fleet',
        order: 1000
      });
    }
  });
})();
