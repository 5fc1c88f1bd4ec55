// Each page its own browser-tab title, set from the path (served from our own origin, so the
// content security policy allows it without an inline script).
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  shell: {
    title: function (pathname) {
      const pages = [
        [/^\/analytics\/campaigns\/\d+\/?$/, "Campaign"],
        [/^\/analytics\/customers\/\d+\/?$/, "Customer"],
        [/^\/analytics\/orders\/?$/, "Orders"],
        [/^\/analytics\/(dashboard\/?)?$/, "Dashboard"],
        [/^\/analytics\/revenue-streams\/?$/, "Revenue"],
        [/^\/analytics\/products\/?$/, "Products"],
        [/^\/analytics\/customers\/?$/, "Customers"],
        [/^\/analytics\/campaigns\/?$/, "Campaigns"],
        [/^\/analytics\/funnel\/?$/, "Funnel"],
        [/^\/analytics\/cohorts\/?$/, "Cohorts"],
        [/^\/analytics\/alerts\/?$/, "Alerts"],
        [/^\/analytics\/settings\/?$/, "Settings"],
      ];
      const match = pages.find(([pattern]) => pattern.test(pathname || ""));
      document.title = (match ? match[1] : "Page not found") + " · Storefront Analytics";
      return document.title;
    },
  },
});
