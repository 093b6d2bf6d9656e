/* tourplanner — itinerary map and road book printing.
 *
 * The map draws the meeting point, each bus's stops (numbered, in the bus's colour)
 * and its route (meeting point → stops → meeting point). Markers and routes are vectors
 * and DOM elements: they show even when the tile server cannot be reached. The list of
 * stops beside the map carries the same information as text.
 */
(function () {
  "use strict";

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function clock(iso) {
    // "2027-03-09T09:05:00+01:00" → "09:05": the server already gives local times.
    return iso ? iso.slice(11, 16) : "";
  }

  function numberedIcon(text, colour, extraClass) {
    return L.divIcon({
      className: "stop-marker " + (extraClass || ""),
      // A class, not a style attribute: the Content-Security-Policy allows no inline style.
      html: '<span class="colour-' + colour.replace("#", "") + '">' + escapeHtml(text) + "</span>",
      iconSize: [28, 28],
      iconAnchor: [14, 14],
      popupAnchor: [0, -14],
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

    var meeting = [data.meeting.lat, data.meeting.lon];
    var bounds = L.latLngBounds([meeting]);
    L.marker(meeting, {
      icon: numberedIcon("R", "#1b1f24", "meeting-marker"),
      title: "Rendez-vous : " + data.meeting.name,
      alt: "Rendez-vous : " + data.meeting.name,
      zIndexOffset: 1000,
    }).addTo(map).bindPopup("<strong>Rendez-vous</strong><br>" + escapeHtml(data.meeting.name));

    data.buses.forEach(function (bus) {
      if (!bus.stops.length) {
        return;
      }
      var path = [meeting];
      bus.stops.forEach(function (stop, index) {
        var at = [stop.lat, stop.lon];
        path.push(at);
        bounds.extend(at);
        var label = bus.label + ", arrêt " + (index + 1) + " : " + stop.site_name;
        L.marker(at, { icon: numberedIcon(String(index + 1), bus.colour), title: label, alt: label })
          .addTo(map)
          .bindPopup(
            "<strong>" + escapeHtml(stop.site_name) + "</strong><br>" + escapeHtml(bus.label) +
            ", arrêt " + (index + 1) + "<br>visite " + clock(stop.start) + "–" + clock(stop.end)
          );
      });
      path.push(meeting);
      L.polyline(path, { color: bus.colour, weight: 4, opacity: 0.85, className: "bus-route bus-route-" + bus.bus })
        .addTo(map)
        .bindTooltip(escapeHtml(bus.label), { sticky: true });
    });

    if (bounds.getNorthEast().equals(bounds.getSouthWest())) {
      map.setView(meeting, 12);
    } else {
      map.fitBounds(bounds, { padding: [30, 30] });
    }
    element.dataset.ready = "true";
    return map;
  }

  function placeTimelines() {
    // Offsets and widths come as data-left/data-width percentages and are set through the
    // CSSOM, which the Content-Security-Policy allows (it would block a style attribute).
    Array.prototype.forEach.call(document.querySelectorAll("[data-left]"), function (item) {
      item.style.left = item.getAttribute("data-left") + "%";
      if (item.hasAttribute("data-width")) {
        item.style.width = item.getAttribute("data-width") + "%";
      }
    });
  }

  function init() {
    placeTimelines();
    var element = document.getElementById("itinerary-map");
    var source = document.getElementById("itinerary-data");
    if (element && source && window.L) {
      drawMap(element, JSON.parse(source.textContent));
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
