using System.Globalization;
using System.Text.Json;
using ClusterManager.Vrrp.Configuration;

namespace ClusterManager.Agents.Vrrp;

/// <summary>
/// The parameters of <c>ocf:clustermanager:vrrp</c>, named after keepalived's <c>vrrp_instance</c> keywords
/// (<c>ip</c> stands for <c>virtual_ipaddress</c>, <c>vrid</c> for <c>virtual_router_id</c>), turned into the
/// configuration cm-vrrpd runs. Lists (<c>ip</c>, <c>unicast_peer</c>, <c>track_interface</c>) are separated by
/// commas or whitespace.
/// </summary>
/// <param name="Instance">The instance (the resource id without a clone suffix).</param>
/// <param name="Config">What cm-vrrpd runs: one instance and its track scripts.</param>
/// <param name="NetworkNamespace">The namespace cm-vrrpd runs in (<c>ip netns exec</c>); null = this one.</param>
/// <param name="Daemon">An explicit cm-vrrpd path; null = found by the agent.</param>
public sealed record VrrpAgentParameters(string Instance, VrrpHostConfig Config, string? NetworkNamespace, string? Daemon)
{
    /// <summary>The VRRPv3 advert interval when none is given, in seconds.</summary>
    public const double DefaultAdvertIntV3 = 0.1;

    /// <summary>Every parameter name the agent reads (the meta-data lists them all).</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "vrid", "interface", "ip", "priority", "advert_int", "version", "unicast_src_ip", "unicast_peer", "auth_pass",
        "preempt", "nopreempt", "preempt_delay", "down_timer_adverts", "garp_master_delay", "garp_master_repeat",
        "use_vmac", "track_interface", "track_script", "track_script_interval", "track_script_timeout",
        "track_script_weight", "track_script_fall", "track_script_rise", "notify_master", "notify_backup", "notify_fault",
        "notify_stop", "notify", "network_namespace", "daemon",
    ];

    private static readonly JsonSerializerOptions ScriptJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The instance, i.e. the resource id without a clone instance suffix (<c>vip-vrrp:1</c> → <c>vip-vrrp</c>).</summary>
    public static string InstanceName(string resourceId)
    {
        ArgumentNullException.ThrowIfNull(resourceId);
        var colon = resourceId.LastIndexOf(':');
        return colon > 0 && resourceId[(colon + 1)..].All(char.IsAsciiDigit) && colon < resourceId.Length - 1 ? resourceId[..colon] : resourceId;
    }

    /// <summary>
    /// Parses the request's parameters for resource <paramref name="resourceId"/>; the problems, each naming the
    /// parameter, when they are not a valid instance.
    /// </summary>
    public static (VrrpAgentParameters? Parameters, IReadOnlyList<string> Errors) Parse(string resourceId, IReadOnlyDictionary<string, string> p)
    {
        ArgumentNullException.ThrowIfNull(p);
        string? Get(string name) => p.TryGetValue(name, out var v) && v.Trim().Length > 0 ? v.Trim() : null;
        var errors = new List<string>();
        var instance = InstanceName(resourceId);

        int Int(string name, int fallback)
        {
            if (Get(name) is not { } text)
            {
                return fallback;
            }

            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            errors.Add($"{name} '{text}' is not an integer");
            return fallback;
        }

        double Number(string name, double fallback)
        {
            if (Get(name) is not { } text)
            {
                return fallback;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0)
            {
                return value;
            }

            errors.Add($"{name} '{text}' is not a number of seconds");
            return fallback;
        }

        bool Bool(string name, bool fallback)
        {
            if (Get(name) is not { } text)
            {
                return fallback;
            }

            switch (text.ToLowerInvariant())
            {
                case "1" or "true" or "yes" or "on" or "y":
                    return true;
                case "0" or "false" or "no" or "off" or "n":
                    return false;
                default:
                    errors.Add($"{name} '{text}' is not a boolean");
                    return fallback;
            }
        }

        if (Get("vrid") is null)
        {
            errors.Add("vrid (the virtual router id, 1-255) is mandatory");
        }

        if (Get("interface") is null)
        {
            errors.Add("interface is mandatory");
        }

        var addresses = List(Get("ip"));
        if (addresses.Count == 0)
        {
            errors.Add("ip (the virtual addresses) is mandatory");
        }

        var scripts = TrackScripts(instance, Get, Int, Number, errors);
        var preempt = Bool("preempt", true) && !Bool("nopreempt", false);
        var config = new VrrpInstanceConfig
        {
            Name = instance,
            Interface = Get("interface") ?? string.Empty,
            Vrid = Int("vrid", 0),
            Priority = Int("priority", 100),
            // Faster than keepalived by default: VRRPv3 adverts every 0.1 s move the address in about 0.3 s after a
            // crash of the master (keepalived's 1 s: about 3 s). VRRPv2 counts whole seconds. An imported keepalived
            // instance always carries its interval (keepalived peers must agree on it).
            AdvertInt = Number("advert_int", Int("version", 3) == 2 ? 1 : DefaultAdvertIntV3),
            Version = Int("version", 3),
            VirtualAddresses = addresses,
            UnicastSrcIp = Get("unicast_src_ip"),
            UnicastPeers = List(Get("unicast_peer")),
            AuthPass = Get("auth_pass"),
            Preempt = preempt,
            PreemptDelay = Number("preempt_delay", 0),
            DownTimerAdverts = Int("down_timer_adverts", 3),
            GarpMasterDelay = Number("garp_master_delay", 5),
            GarpMasterRepeat = Int("garp_master_repeat", 5),
            UseVmac = Bool("use_vmac", false),
            TrackInterfaces = List(Get("track_interface")),
            TrackScripts = [.. scripts.Select(s => s.Name)],
            NotifyMaster = Get("notify_master"),
            NotifyBackup = Get("notify_backup"),
            NotifyFault = Get("notify_fault"),
            NotifyStop = Get("notify_stop"),
            Notify = Get("notify"),
        };
        if (config.AuthPass is not null && config.Version != 2)
        {
            errors.Add("auth_pass needs version=2 (VRRPv3 has no authentication)");
        }

        if (config.ParsedAddressesOrEmpty().Any(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6))
        {
            errors.Add("ip: IPv6 virtual addresses are not supported by cm-vrrpd yet");
        }

        var host = new VrrpHostConfig { Scripts = scripts, Instances = [config] };
        if (errors.Count == 0)
        {
            // The host's own validation, with its field names translated back to the agent's parameters.
            errors.AddRange(host.Validate().Select(ToParameterNames));
        }

        return errors.Count > 0
            ? (null, errors)
            : (new VrrpAgentParameters(instance, host, Get("network_namespace"), Get("daemon")), []);
    }

    /// <summary>
    /// The parameters that configure <paramref name="instance"/> with its track scripts (the inverse of
    /// <see cref="Parse"/>, for importing a keepalived.conf): <c>vrid</c>, <c>interface</c>, <c>ip</c>,
    /// <c>priority</c> and <c>version</c> always, the rest only where it differs from the default. One track script
    /// is written as a command with <c>track_script_*</c> beside it, several as a JSON array.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ToParameters(VrrpInstanceConfig instance, IReadOnlyList<VrrpTrackScriptConfig> scripts)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(scripts);
        var result = new List<KeyValuePair<string, string>>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                result.Add(new(name, value));
            }
        }

        static string N(double value) => value.ToString(CultureInfo.InvariantCulture);
        static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

        Add("vrid", I(instance.Vrid));
        Add("interface", instance.Interface);
        Add("ip", string.Join(',', instance.VirtualAddresses));
        Add("priority", I(instance.Priority));
        Add("version", I(instance.Version));
        Add("advert_int", N(instance.AdvertInt));
        Add("unicast_src_ip", instance.UnicastSrcIp);
        Add("unicast_peer", string.Join(',', instance.UnicastPeers));
        Add("auth_pass", instance.AuthPass);
        Add("nopreempt", instance.Preempt ? null : "true");
        Add("preempt_delay", instance.PreemptDelay == 0 ? null : N(instance.PreemptDelay));
        Add("down_timer_adverts", instance.DownTimerAdverts == 3 ? null : I(instance.DownTimerAdverts));
        Add("garp_master_delay", instance.GarpMasterDelay == 5 ? null : N(instance.GarpMasterDelay));
        Add("garp_master_repeat", instance.GarpMasterRepeat == 5 ? null : I(instance.GarpMasterRepeat));
        Add("use_vmac", instance.UseVmac ? "true" : null);
        Add("track_interface", string.Join(',', instance.TrackInterfaces));
        var tracked = instance.TrackScripts.Select(name => scripts.First(s => s.Name == name)).ToList();
        if (tracked.Count == 1)
        {
            var script = tracked[0];
            Add("track_script", script.Script);
            Add("track_script_interval", script.Interval == 1 ? null : N(script.Interval));
            Add("track_script_timeout", script.Timeout == 0 ? null : N(script.Timeout));
            Add("track_script_weight", script.Weight == 0 ? null : I(script.Weight));
            Add("track_script_fall", script.Fall == 1 ? null : I(script.Fall));
            Add("track_script_rise", script.Rise == 1 ? null : I(script.Rise));
        }
        else if (tracked.Count > 1)
        {
            Add("track_script", JsonSerializer.Serialize(tracked, ScriptJson));
        }

        Add("notify_master", instance.NotifyMaster);
        Add("notify_backup", instance.NotifyBackup);
        Add("notify_fault", instance.NotifyFault);
        Add("notify_stop", instance.NotifyStop);
        Add("notify", instance.Notify);
        return result;
    }

    /// <summary>Splits a list parameter at commas and whitespace.</summary>
    public static IReadOnlyList<string> List(string? text) =>
        text is null ? [] : text.Split([',', ' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// <c>track_script</c>: either one command line, with <c>track_script_interval</c>, <c>_timeout</c>,
    /// <c>_weight</c>, <c>_fall</c>, <c>_rise</c> beside it, or a JSON array of keepalived <c>vrrp_script</c> blocks
    /// (<c>[{"name":"chk","script":"...","interval":2,"weight":-20,"fall":3,"rise":2}]</c>) for several.
    /// </summary>
    private static List<VrrpTrackScriptConfig> TrackScripts(
        string instance, Func<string, string?> get, Func<string, int, int> integer, Func<string, double, double> number, List<string> errors)
    {
        if (get("track_script") is not { } text)
        {
            return [];
        }

        if (text.StartsWith('['))
        {
            try
            {
                var scripts = JsonSerializer.Deserialize<List<VrrpTrackScriptConfig>>(text, ScriptJson) ?? [];
                foreach (var duplicate in scripts.GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
                {
                    errors.Add($"track_script: the name '{duplicate.Key}' is used more than once");
                }

                return scripts;
            }
            catch (JsonException e)
            {
                errors.Add($"track_script: not a JSON array of scripts ({e.Message})");
                return [];
            }
        }

        return
        [
            new VrrpTrackScriptConfig
            {
                Name = "chk_" + instance,
                Script = text,
                Interval = number("track_script_interval", 1),
                Timeout = number("track_script_timeout", 0),
                Weight = integer("track_script_weight", 0),
                Fall = integer("track_script_fall", 1),
                Rise = integer("track_script_rise", 1),
            },
        ];
    }

    private static string ToParameterNames(string error) => error
        .Replace("virtualAddresses:", "ip:", StringComparison.Ordinal)
        .Replace("unicastPeers:", "unicast_peer:", StringComparison.Ordinal)
        .Replace("unicastSrcIp:", "unicast_src_ip:", StringComparison.Ordinal)
        .Replace("advertInt:", "advert_int:", StringComparison.Ordinal)
        .Replace("useVmac:", "use_vmac:", StringComparison.Ordinal)
        .Replace("script '", "track_script '", StringComparison.Ordinal);
}

internal static class VrrpInstanceConfigExtensions
{
    /// <summary>The addresses that parse (the rest is reported by validation).</summary>
    public static IEnumerable<System.Net.IPAddress> ParsedAddressesOrEmpty(this VrrpInstanceConfig config) =>
        config.VirtualAddresses
            .Select(a => System.Net.IPAddress.TryParse(a.Split('/')[0], out var address) ? address : null)
            .OfType<System.Net.IPAddress>();
}
