"""Field names of the NIOS 2.12.1 schema per object type.

Taken from the WAPI schema the official Python client is generated from. Fields that
``types.py`` does not model are accepted and stored verbatim ("pass-through"), so clients
that send them work unchanged. Data only."""

from typing import Final

__all__ = ["NIOS_FIELDS"]


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


NIOS_FIELDS: Final[dict[str, frozenset[str]]] = {
    "networkview": _names(
        """
        associated_dns_views associated_members cloud_info comment ddns_dns_view
        ddns_zone_primaries extattrs internal_forward_zones is_default mgm_private
        ms_ad_user_data name remote_forward_zones remote_reverse_zones
        """
    ),
    "network": _names(
        """
        authority auto_create_reversezone bootfile bootserver cloud_info comment conflict_count
        ddns_domainname ddns_generate_hostname ddns_server_always_updates ddns_ttl
        ddns_update_fixed_addresses ddns_use_option81 delete_reason deny_bootp dhcp_utilization
        dhcp_utilization_status disable discover_now_status discovered_bgp_as
        discovered_bridge_domain discovered_tenant discovered_vlan_id discovered_vlan_name
        discovered_vrf_description discovered_vrf_name discovered_vrf_rd
        discovery_basic_poll_settings discovery_blackout_setting discovery_engine_type
        discovery_member dynamic_hosts email_list enable_ddns enable_dhcp_thresholds
        enable_discovery enable_email_warnings enable_ifmap_publishing
        enable_immediate_discovery enable_pxe_lease_time enable_snmp_warnings endpoint_sources
        extattrs high_water_mark high_water_mark_reset ignore_dhcp_option_list_request ignore_id
        ignore_mac_addresses ipam_email_addresses ipam_threshold_settings ipam_trap_settings
        ipv4addr last_rir_registration_update_sent last_rir_registration_update_status
        lease_scavenge_time logic_filter_rules low_water_mark low_water_mark_reset members
        mgm_private mgm_private_overridable ms_ad_user_data netmask network network_container
        network_view nextserver options port_control_blackout_setting pxe_lease_time
        recycle_leases restart_if_needed rir rir_organization rir_registration_action
        rir_registration_status same_port_control_discovery_blackout send_rir_request
        static_hosts subscribe_settings template total_hosts unmanaged unmanaged_count
        update_dns_on_lease_renewal use_authority use_blackout_setting use_bootfile
        use_bootserver use_ddns_domainname use_ddns_generate_hostname use_ddns_ttl
        use_ddns_update_fixed_addresses use_ddns_use_option81 use_deny_bootp
        use_discovery_basic_polling_settings use_email_list use_enable_ddns
        use_enable_dhcp_thresholds use_enable_discovery use_enable_ifmap_publishing
        use_ignore_dhcp_option_list_request use_ignore_id use_ipam_email_addresses
        use_ipam_threshold_settings use_ipam_trap_settings use_lease_scavenge_time
        use_logic_filter_rules use_mgm_private use_nextserver use_options use_pxe_lease_time
        use_recycle_leases use_subscribe_settings use_update_dns_on_lease_renewal
        use_zone_associations utilization utilization_update vlans zone_associations
        """
    ),
    "networkcontainer": _names(
        """
        authority auto_create_reversezone bootfile bootserver cloud_info comment ddns_domainname
        ddns_generate_hostname ddns_server_always_updates ddns_ttl ddns_update_fixed_addresses
        ddns_use_option81 delete_reason deny_bootp discover_now_status
        discovery_basic_poll_settings discovery_blackout_setting discovery_engine_type
        discovery_member email_list enable_ddns enable_dhcp_thresholds enable_discovery
        enable_email_warnings enable_immediate_discovery enable_pxe_lease_time
        enable_snmp_warnings endpoint_sources extattrs high_water_mark high_water_mark_reset
        ignore_dhcp_option_list_request ignore_id ignore_mac_addresses ipam_email_addresses
        ipam_threshold_settings ipam_trap_settings last_rir_registration_update_sent
        last_rir_registration_update_status lease_scavenge_time logic_filter_rules
        low_water_mark low_water_mark_reset mgm_private mgm_private_overridable ms_ad_user_data
        network network_container network_view nextserver options port_control_blackout_setting
        pxe_lease_time recycle_leases remove_subnets restart_if_needed rir rir_organization
        rir_registration_action rir_registration_status same_port_control_discovery_blackout
        send_rir_request subscribe_settings unmanaged update_dns_on_lease_renewal use_authority
        use_blackout_setting use_bootfile use_bootserver use_ddns_domainname
        use_ddns_generate_hostname use_ddns_ttl use_ddns_update_fixed_addresses
        use_ddns_use_option81 use_deny_bootp use_discovery_basic_polling_settings use_email_list
        use_enable_ddns use_enable_dhcp_thresholds use_enable_discovery
        use_ignore_dhcp_option_list_request use_ignore_id use_ipam_email_addresses
        use_ipam_threshold_settings use_ipam_trap_settings use_lease_scavenge_time
        use_logic_filter_rules use_mgm_private use_nextserver use_options use_pxe_lease_time
        use_recycle_leases use_subscribe_settings use_update_dns_on_lease_renewal
        use_zone_associations utilization zone_associations
        """
    ),
    "ipv6network": _names(
        """
        auto_create_reversezone cloud_info comment ddns_domainname ddns_enable_option_fqdn
        ddns_generate_hostname ddns_server_always_updates ddns_ttl delete_reason disable
        discover_now_status discovered_bgp_as discovered_bridge_domain discovered_tenant
        discovered_vlan_id discovered_vlan_name discovered_vrf_description discovered_vrf_name
        discovered_vrf_rd discovery_basic_poll_settings discovery_blackout_setting
        discovery_engine_type discovery_member domain_name domain_name_servers enable_ddns
        enable_discovery enable_ifmap_publishing enable_immediate_discovery endpoint_sources
        extattrs last_rir_registration_update_sent last_rir_registration_update_status
        logic_filter_rules members mgm_private mgm_private_overridable ms_ad_user_data network
        network_container network_view options port_control_blackout_setting preferred_lifetime
        recycle_leases restart_if_needed rir rir_organization rir_registration_action
        rir_registration_status same_port_control_discovery_blackout send_rir_request
        subscribe_settings template unmanaged unmanaged_count update_dns_on_lease_renewal
        use_blackout_setting use_ddns_domainname use_ddns_enable_option_fqdn
        use_ddns_generate_hostname use_ddns_ttl use_discovery_basic_polling_settings
        use_domain_name use_domain_name_servers use_enable_ddns use_enable_discovery
        use_enable_ifmap_publishing use_logic_filter_rules use_mgm_private use_options
        use_preferred_lifetime use_recycle_leases use_subscribe_settings
        use_update_dns_on_lease_renewal use_valid_lifetime use_zone_associations valid_lifetime
        vlans zone_associations
        """
    ),
    "ipv6networkcontainer": _names(
        """
        auto_create_reversezone cloud_info comment ddns_domainname ddns_enable_option_fqdn
        ddns_generate_hostname ddns_server_always_updates ddns_ttl delete_reason
        discover_now_status discovery_basic_poll_settings discovery_blackout_setting
        discovery_engine_type discovery_member domain_name_servers enable_ddns enable_discovery
        enable_immediate_discovery endpoint_sources extattrs last_rir_registration_update_sent
        last_rir_registration_update_status logic_filter_rules mgm_private
        mgm_private_overridable ms_ad_user_data network network_container network_view options
        port_control_blackout_setting preferred_lifetime remove_subnets restart_if_needed rir
        rir_organization rir_registration_action rir_registration_status
        same_port_control_discovery_blackout send_rir_request subscribe_settings unmanaged
        update_dns_on_lease_renewal use_blackout_setting use_ddns_domainname
        use_ddns_enable_option_fqdn use_ddns_generate_hostname use_ddns_ttl
        use_discovery_basic_polling_settings use_domain_name_servers use_enable_ddns
        use_enable_discovery use_logic_filter_rules use_mgm_private use_options
        use_preferred_lifetime use_subscribe_settings use_update_dns_on_lease_renewal
        use_valid_lifetime use_zone_associations utilization valid_lifetime zone_associations
        """
    ),
    "view": _names(
        """
        blacklist_action blacklist_log_query blacklist_redirect_addresses blacklist_redirect_ttl
        blacklist_rulesets cloud_info comment custom_root_name_servers
        ddns_force_creation_timestamp_update ddns_principal_group ddns_principal_tracking
        ddns_restrict_patterns ddns_restrict_patterns_list ddns_restrict_protected
        ddns_restrict_secure ddns_restrict_static disable dns64_enabled dns64_groups
        dnssec_enabled dnssec_expired_signatures_enabled dnssec_negative_trust_anchors
        dnssec_trusted_keys dnssec_validation_enabled edns_udp_size enable_blacklist
        enable_fixed_rrset_order_fqdns enable_match_recursive_only extattrs filter_aaaa
        filter_aaaa_list fixed_rrset_order_fqdns forward_only forwarders is_default lame_ttl
        last_queried_acl match_clients match_destinations max_cache_ttl max_ncache_ttl
        max_udp_size name network_view notify_delay nxdomain_log_query nxdomain_redirect
        nxdomain_redirect_addresses nxdomain_redirect_addresses_v6 nxdomain_redirect_ttl
        nxdomain_rulesets recursion response_rate_limiting root_name_server_type
        rpz_drop_ip_rule_enabled rpz_drop_ip_rule_min_prefix_length_ipv4
        rpz_drop_ip_rule_min_prefix_length_ipv6 rpz_qname_wait_recurse scavenging_settings
        sortlist use_blacklist use_ddns_force_creation_timestamp_update
        use_ddns_patterns_restriction use_ddns_principal_security use_ddns_restrict_protected
        use_ddns_restrict_static use_dns64 use_dnssec use_edns_udp_size use_filter_aaaa
        use_fixed_rrset_order_fqdns use_forwarders use_lame_ttl use_max_cache_ttl
        use_max_ncache_ttl use_max_udp_size use_nxdomain_redirect use_recursion
        use_response_rate_limiting use_root_name_server use_rpz_drop_ip_rule
        use_rpz_qname_wait_recurse use_scavenging_settings use_sortlist
        """
    ),
    "zone_auth": _names(
        """
        address allow_active_dir allow_fixed_rrset_order allow_gss_tsig_for_underscore_zone
        allow_gss_tsig_zone_updates allow_query allow_transfer allow_update
        allow_update_forwarding aws_rte53_zone_info cloud_info comment copy_xfer_to_notify
        create_ptr_for_bulk_hosts create_ptr_for_hosts create_underscore_zones
        ddns_force_creation_timestamp_update ddns_principal_group ddns_principal_tracking
        ddns_restrict_patterns ddns_restrict_patterns_list ddns_restrict_protected
        ddns_restrict_secure ddns_restrict_static disable disable_forwarding display_domain
        dns_fqdn dns_integrity_enable dns_integrity_frequency dns_integrity_member
        dns_integrity_verbose_logging dns_soa_email dnssec_key_params dnssec_keys
        dnssec_ksk_rollover_date dnssec_zsk_rollover_date do_host_abstraction
        effective_check_names_policy effective_record_name_policy extattrs external_primaries
        external_secondaries fqdn grid_primary grid_primary_shared_with_ms_parent_delegation
        grid_secondaries import_from is_dnssec_enabled is_dnssec_signed is_multimaster
        last_queried last_queried_acl locked locked_by mask_prefix member_soa_mnames
        member_soa_serials ms_ad_integrated ms_allow_transfer ms_allow_transfer_mode
        ms_dc_ns_record_creation ms_ddns_mode ms_managed ms_primaries ms_read_only
        ms_secondaries ms_sync_disabled ms_sync_master_name network_associations network_view
        notify_delay ns_group parent prefix primary_type record_name_policy records_monitored
        restart_if_needed rr_not_queried_enabled_time scavenging_settings set_soa_serial_number
        soa_default_ttl soa_email soa_expire soa_negative_ttl soa_refresh soa_retry
        soa_serial_number srgs update_forwarding use_allow_active_dir use_allow_query
        use_allow_transfer use_allow_update use_allow_update_forwarding use_check_names_policy
        use_copy_xfer_to_notify use_ddns_force_creation_timestamp_update
        use_ddns_patterns_restriction use_ddns_principal_security use_ddns_restrict_protected
        use_ddns_restrict_static use_dnssec_key_params use_external_primary use_grid_zone_timer
        use_import_from use_notify_delay use_record_name_policy use_scavenging_settings
        use_soa_email using_srg_associations view zone_format zone_not_queried_enabled_time
        """
    ),
    "record:a": _names(
        """
        aws_rte53_record_info cloud_info comment creation_time creator ddns_principal
        ddns_protected disable discovered_data dns_name extattrs forbid_reclamation ipv4addr
        last_queried ms_ad_user_data name reclaimable remove_associated_ptr shared_record_group
        ttl use_ttl view zone
        """
    ),
    "record:aaaa": _names(
        """
        aws_rte53_record_info cloud_info comment creation_time creator ddns_principal
        ddns_protected disable discovered_data dns_name extattrs forbid_reclamation ipv6addr
        last_queried ms_ad_user_data name reclaimable remove_associated_ptr shared_record_group
        ttl use_ttl view zone
        """
    ),
    "record:cname": _names(
        """
        aws_rte53_record_info canonical cloud_info comment creation_time creator ddns_principal
        ddns_protected disable dns_canonical dns_name extattrs forbid_reclamation last_queried
        name reclaimable shared_record_group ttl use_ttl view zone
        """
    ),
    "record:ptr": _names(
        """
        aws_rte53_record_info cloud_info comment creation_time creator ddns_principal
        ddns_protected disable discovered_data dns_name dns_ptrdname extattrs forbid_reclamation
        ipv4addr ipv6addr last_queried ms_ad_user_data name ptrdname reclaimable
        shared_record_group ttl use_ttl view zone
        """
    ),
    "record:txt": _names(
        """
        aws_rte53_record_info cloud_info comment creation_time creator ddns_principal
        ddns_protected disable dns_name extattrs forbid_reclamation last_queried name
        reclaimable shared_record_group text ttl use_ttl view zone
        """
    ),
    "record:mx": _names(
        """
        aws_rte53_record_info cloud_info comment creation_time creator ddns_principal
        ddns_protected disable dns_mail_exchanger dns_name extattrs forbid_reclamation
        last_queried mail_exchanger name preference reclaimable shared_record_group ttl use_ttl
        view zone
        """
    ),
    "record:srv": _names(
        """
        aws_rte53_record_info cloud_info comment creation_time creator ddns_principal
        ddns_protected disable dns_name dns_target extattrs forbid_reclamation last_queried name
        port priority reclaimable shared_record_group target ttl use_ttl view weight zone
        """
    ),
    "record:host": _names(
        """
        aliases allow_telnet cli_credentials cloud_info comment configure_for_dns creation_time
        ddns_protected device_description device_location device_type device_vendor disable
        disable_discovery dns_aliases dns_name enable_immediate_discovery extattrs ipv4addrs
        ipv6addrs last_queried mac ms_ad_user_data name network_view restart_if_needed
        rrset_order snmp3_credential snmp_credential ttl use_cli_credentials
        use_snmp3_credential use_snmp_credential use_ttl view zone
        """
    ),
    "fixedaddress": _names(
        """
        agent_circuit_id agent_remote_id allow_telnet always_update_dns bootfile bootserver
        cli_credentials client_identifier_prepend_zero cloud_info comment ddns_domainname
        ddns_hostname deny_bootp device_description device_location device_type device_vendor
        dhcp_client_identifier disable disable_discovery discover_now_status discovered_data
        enable_ddns enable_immediate_discovery enable_pxe_lease_time extattrs
        ignore_dhcp_option_list_request ipv4addr is_invalid_mac logic_filter_rules mac
        match_client ms_ad_user_data ms_options ms_server name network network_view nextserver
        options pxe_lease_time reserved_interface restart_if_needed snmp3_credential
        snmp_credential template use_bootfile use_bootserver use_cli_credentials
        use_ddns_domainname use_deny_bootp use_enable_ddns use_ignore_dhcp_option_list_request
        use_logic_filter_rules use_ms_options use_nextserver use_options use_pxe_lease_time
        use_snmp3_credential use_snmp_credential
        """
    ),
    "range": _names(
        """
        always_update_dns bootfile bootserver cloud_info comment ddns_domainname
        ddns_generate_hostname deny_all_clients deny_bootp dhcp_utilization
        dhcp_utilization_status disable discover_now_status discovery_basic_poll_settings
        discovery_blackout_setting discovery_member dynamic_hosts email_list enable_ddns
        enable_dhcp_thresholds enable_discovery enable_email_warnings enable_ifmap_publishing
        enable_immediate_discovery enable_pxe_lease_time enable_snmp_warnings end_addr
        endpoint_sources exclude extattrs failover_association fingerprint_filter_rules
        high_water_mark high_water_mark_reset ignore_dhcp_option_list_request ignore_id
        ignore_mac_addresses is_split_scope known_clients lease_scavenge_time logic_filter_rules
        low_water_mark low_water_mark_reset mac_filter_rules member ms_ad_user_data ms_options
        ms_server nac_filter_rules name network network_view nextserver option_filter_rules
        options port_control_blackout_setting pxe_lease_time recycle_leases
        relay_agent_filter_rules restart_if_needed same_port_control_discovery_blackout
        server_association_type split_member split_scope_exclusion_percent start_addr
        static_hosts subscribe_settings template total_hosts unknown_clients
        update_dns_on_lease_renewal use_blackout_setting use_bootfile use_bootserver
        use_ddns_domainname use_ddns_generate_hostname use_deny_bootp
        use_discovery_basic_polling_settings use_email_list use_enable_ddns
        use_enable_dhcp_thresholds use_enable_discovery use_enable_ifmap_publishing
        use_ignore_dhcp_option_list_request use_ignore_id use_known_clients
        use_lease_scavenge_time use_logic_filter_rules use_ms_options use_nextserver use_options
        use_pxe_lease_time use_recycle_leases use_subscribe_settings use_unknown_clients
        use_update_dns_on_lease_renewal
        """
    ),
    "extensibleattributedef": _names(
        """
        allowed_object_types comment default_value descendants_action flags list_values max min
        name namespace type
        """
    ),
    "grid": _names(
        """
        allow_recursive_deletion audit_log_format audit_to_syslog_enable
        automated_traffic_capture_setting consent_banner_setting csp_api_config csp_grid_setting
        deny_mgm_snapshots descendants_action dns_resolver_setting dscp email_setting
        enable_gui_api_for_lan_vip enable_lom enable_member_redirect enable_recycle_bin
        enable_rir_swip external_syslog_backup_servers external_syslog_server_enable
        http_proxy_server_setting informational_banner_setting is_grid_visualization_visible
        lockout_setting lom_users mgm_strict_delegate_mode ms_setting name nat_groups
        ntp_setting objects_changes_tracking_setting password_setting restart_banner_setting
        restart_status rpz_hit_rate_interval rpz_hit_rate_max_query rpz_hit_rate_min_query
        scheduled_backup secret security_banner_setting security_setting service_status
        snmp_setting support_bundle_download_timeout syslog_facility syslog_servers syslog_size
        threshold_traps time_zone token_usage_delay traffic_capture_auth_dns_setting
        traffic_capture_chr_setting traffic_capture_qps_setting traffic_capture_rec_dns_setting
        traffic_capture_rec_queries_setting trap_notifications updates_download_member_config
        vpn_port
        """
    ),
    "nsgroup": _names(
        """
        comment extattrs external_primaries external_secondaries grid_primary
        grid_secondaries is_grid_default is_multimaster name use_external_primary
        """
    ),
    "record:caa": _names(
        """
        ca_flag ca_tag ca_value cloud_info comment creation_time creator ddns_principal
        ddns_protected disable dns_name extattrs forbid_reclamation last_queried name
        reclaimable ttl use_ttl view zone
        """
    ),
    "record:ns": _names(
        """
        addresses cloud_info creator dns_name last_queried ms_delegation_name name nameserver
        policy view zone
        """
    ),
}
