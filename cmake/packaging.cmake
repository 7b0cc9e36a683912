# What `cmake --install` puts where, and the Debian package CPack makes of it
# (`cmake --build build --target package` → build/faultline_X.Y.Z_amd64.deb; docs/operations.md).
#
# The unit and the configuration go where Debian looks for them, whatever the prefix: they are
# absolute destinations. /var/lib/faultline is not in the package: the unit's DynamicUser= and
# StateDirectory= make it a link to /var/lib/private/faultline at the first start, and a directory
# owned by dpkg there would be replaced under dpkg's feet.
install(TARGETS faultline RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The HTTP server module, where the binary looks for it: ../<libdir>/faultline from its directory.
install(TARGETS faultline_http LIBRARY DESTINATION ${FAULTLINE_MODULE_INSTALL_DIR})
install(FILES packaging/systemd/faultline.service DESTINATION /lib/systemd/system)
install(FILES packaging/config/faultline.yaml DESTINATION /etc/faultline)
install(FILES config.example.yaml docs/operations.md docs/scaling.md
              packaging/systemd/app-with-faultline.service
        DESTINATION share/doc/faultline)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME faultline)
set(CPACK_PACKAGE_CONTACT "faultline maintainers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Turns a Node.js service's Pino logs into Sentry events")
# The summary is the description's first line; this is the rest (one string: a list would put
# ';' between the lines).
string(CONCAT CPACK_DEBIAN_PACKAGE_DESCRIPTION
       "faultline reads the Pino JSON logs of a Node.js service (piped, from the app it runs, or\n"
       "tailed from files) and sends its errors to Sentry with their stacks, requests and\n"
       "breadcrumbs. faultline.service tails /var/log/app; see\n"
       "/usr/share/doc/faultline/operations.md.")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # faultline_X.Y.Z_amd64.deb
set(CPACK_STRIP_FILES ON)
# Depends: from the libraries the binary and faultline-http.so link (dpkg-shlibdeps, which needs
# `file`), and libcurl, which the binary opens at its first send (agent/delivery/curl_library.h)
# and so no tool can see. 7.66 is the first libcurl with curl_multi_poll.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcurl4 (>= 7.66)")
# conffiles keeps an edited /etc/faultline/faultline.yaml across upgrades; the scripts reload
# systemd, restart a running faultline after an upgrade and stop it before removal, as Debian's
# packages do (they never enable or start it: that waits for a DSN).
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/debian/conffiles ${CMAKE_SOURCE_DIR}/packaging/debian/postinst
    ${CMAKE_SOURCE_DIR}/packaging/debian/prerm ${CMAKE_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
