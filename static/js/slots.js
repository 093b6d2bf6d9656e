/* tourplanner — the map of offered visit slots.
 *
 * One marker per site, labelled with how many of its slots the list shows. Markers are
 * DOM elements: they show even when the tile server cannot be reached (the map then
 * keeps a plain background). The list beside the map carries the same information.
 */
(function () {
  "use strict";

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function drawMap(element, data) {
    var map = L.map(element, { scrollWheelZoom: false, zoomSnap: 0.25 });
    map.attributionControl.setPrefix(false);
    var tiles = L.tileLayer(data.tiles.url, { attribution: escapeHtml(data.tiles.attribution), maxZoom: 18 });
    tiles.on("tileerror", function () {
      element.classList.add("tiles-unavailable");
    });
    tiles.addTo(map);

    var bounds = L.latLngBounds([]);
    data.sites.forEach(function (site) {
      var at = [site.lat, site.lon];
      bounds.extend(at);
      var count = site.slots + (site.slots > 1 ? " créneaux" : " créneau");
      var label = site.company + " — " + site.name + " : " + count;
      L.marker(at, {
        icon: L.divIcon({
          className: "site-marker",
          html: "<span>" + escapeHtml(String(site.slots)) + "</span>",
          iconSize: [30, 30],
          iconAnchor: [15, 15],
          popupAnchor: [0, -15],
        }),
        title: label,
        alt: label,
        keyboard: true,
      })
        .addTo(map)
        .bindPopup(
          "<strong>" + escapeHtml(site.company) + "</strong><br>" + escapeHtml(site.name) + "<br>" +
          '<a href="#' + escapeHtml(site.anchor) + '">' + escapeHtml(count) + " dans la liste</a>"
        );
    });

    if (data.sites.length === 1) {
      map.setView(bounds.getCenter(), 13);
    } else {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 14 });
    }
    element.dataset.ready = "true";
    return map;
  }

  function init() {
    var element = document.getElementById("slots-map");
    var source = document.getElementById("slots-data");
    if (element && source && window.L) {
      var data = JSON.parse(source.textContent);
      if (data.sites.length) {
        drawMap(element, data);
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
