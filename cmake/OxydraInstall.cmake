# The installed layout (FHS), what `cmake --install` and the Debian package
# (scripts/package) put where; docs/operations.md walks through it:
#   /usr/bin/oxydra-runner                 the operator's command
#   /usr/libexec/oxydra/                   oxydra-vm, shell-daemon, oxydra-guest-init,
#                                          the VMM's no-dump library (found by the runner)
#   /usr/share/oxydra/{scripts,images}     guest image recipes and their drivers
#   /usr/share/oxydra/examples/            example configs
#   /usr/share/doc/oxydra/                 README and docs
#   /etc/oxydra/{runner,agent}.toml        the host's config (conffiles), users/, secrets/
#   /var/lib/oxydra/{users,images}         workspaces and guest images
#   /usr/lib/systemd/system/               oxydra@.service, oxydra.target, metrics timer
#   /usr/lib/systemd/system-generators/    oxydra-generator
# /etc and /var are the FHS ones whatever the prefix's sysconfdir would be.
set(OXYDRA_ETC_DIR /etc/oxydra)
set(OXYDRA_STATE_DIR /var/lib/oxydra)
set(oxydra_libexec ${CMAKE_INSTALL_LIBEXECDIR}/oxydra)
set(oxydra_share ${CMAKE_INSTALL_DATADIR}/oxydra)

install(TARGETS oxydra-runner RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS oxydra-vm shell-daemon oxydra-guest-init RUNTIME DESTINATION ${oxydra_libexec})
install(TARGETS oxydra-vmm-nodump LIBRARY DESTINATION ${oxydra_libexec})

install(PROGRAMS scripts/build-guest-rootfs scripts/build-microvm-images
  DESTINATION ${oxydra_share}/scripts)
install(DIRECTORY images/ DESTINATION ${oxydra_share}/images USE_SOURCE_PERMISSIONS)
install(DIRECTORY examples/config/ DESTINATION ${oxydra_share}/examples
  PATTERN workspace EXCLUDE)
file(GLOB oxydra_docs ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES README.md ${oxydra_docs} DESTINATION ${CMAKE_INSTALL_DOCDIR})

install(FILES packaging/etc/runner.toml packaging/etc/agent.toml DESTINATION ${OXYDRA_ETC_DIR})
install(DIRECTORY DESTINATION ${OXYDRA_ETC_DIR}/users)
install(DIRECTORY DESTINATION ${OXYDRA_ETC_DIR}/secrets
  DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
install(DIRECTORY DESTINATION ${OXYDRA_STATE_DIR}/users)
install(DIRECTORY DESTINATION ${OXYDRA_STATE_DIR}/images)

set(oxydra_units packaging/systemd/oxydra@.service packaging/systemd/oxydra.target
  packaging/systemd/oxydra-metrics.service packaging/systemd/oxydra-metrics.timer)
install(FILES ${oxydra_units} DESTINATION lib/systemd/system)
install(PROGRAMS packaging/systemd/oxydra-generator DESTINATION lib/systemd/system-generators)

# The Debian package: `scripts/package` (cpack -G DEB in the default build).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME oxydra)
set(CPACK_PACKAGE_VENDOR "Oxydra")
set(CPACK_PACKAGE_CONTACT "Oxydra maintainers <oxydra@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Runs an AI agent per user behind measured isolation (container, microVM or process tier)")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# What the runner runs (runc; mkfs.ext4 and mount for the users' disk
# images) and what builds the guest images (debootstrap, file).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "runc, e2fsprogs, mount, debootstrap, file, adduser, ca-certificates")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qemu-system-x86, busybox-static, cpio, xz-utils")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "docker.io, prometheus-node-exporter")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles
  ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
  ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
  ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
