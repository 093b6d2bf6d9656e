/* tourplanner — pick a place on a map to fill a form's latitude and longitude.
 *
 * Progressive: without this script (or without tiles) the form still works, the address
 * alone places the point. A click or tap on the map puts the marker there and writes its
 * coordinates into the fields named by data-lat-field and data-lon-field; typing
 * coordinates moves the marker.
 */
(function () {
  "use strict";

  var FRANCE = [46.6, 2.4];

  function read(input) {
    var value = parseFloat(String(input.value).replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function setUp(element) {
    var latInput = document.getElementById(element.dataset.latField);
    var lonInput = document.getElementById(element.dataset.lonField);
    if (!latInput || !lonInput || typeof L === "undefined") {
      return;
    }
    element.hidden = false;
    var map = L.map(element, { scrollWheelZoom: false });
    map.attributionControl.setPrefix(false);
    var tiles = L.tileLayer(element.dataset.tilesUrl, { attribution: element.dataset.tilesAttribution, maxZoom: 18 });
    tiles.on("tileerror", function () {
      element.classList.add("tiles-unavailable");
    });
    tiles.addTo(map);
    var marker = null;

    function place(lat, lon, zoom) {
      if (marker) {
        marker.setLatLng([lat, lon]);
      } else {
        marker = L.circleMarker([lat, lon], { radius: 9, color: "#b3261e", weight: 3, fillOpacity: 0.6 }).addTo(map);
      }
      if (zoom) {
        map.setView([lat, lon], zoom);
      }
    }

    var lat = read(latInput);
    var lon = read(lonInput);
    if (lat !== null && lon !== null) {
      place(lat, lon, 15);
    } else {
      map.setView(FRANCE, 5);
    }

    map.on("click", function (event) {
      latInput.value = event.latlng.lat.toFixed(6);
      lonInput.value = event.latlng.lng.toFixed(6);
      place(event.latlng.lat, event.latlng.lng, null);
    });

    function typed() {
      var typedLat = read(latInput);
      var typedLon = read(lonInput);
      if (typedLat !== null && typedLon !== null) {
        place(typedLat, typedLon, Math.max(map.getZoom(), 13));
      }
    }
    latInput.addEventListener("change", typed);
    lonInput.addEventListener("change", typed);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".place-picker").forEach(setUp);
  });
})();
