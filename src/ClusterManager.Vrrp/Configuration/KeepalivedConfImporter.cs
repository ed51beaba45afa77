using System.Globalization;

namespace ClusterManager.Vrrp.Configuration;

/// <summary>Outcome of <see cref="KeepalivedConfImporter.Import"/>: the config (null on errors), errors, and what was ignored.</summary>
public sealed record KeepalivedImportResult(VrrpHostConfig? Config, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings)
{
    public bool Success => Config is not null;
}

/// <summary>
/// Imports the <c>vrrp_script</c>, <c>vrrp_instance</c> and VRRP-related <c>global_defs</c> parts of a keepalived.conf
/// into a <see cref="VrrpHostConfig"/>. Keywords we do not carry over are listed as warnings (with line numbers), never
/// dropped silently; things that would change behaviour (AH authentication, VMAC, sync groups) are errors or warnings.
/// </summary>
public static class KeepalivedConfImporter
{
    private static readonly HashSet<string> QuietGlobals = new(StringComparer.Ordinal)
    {
        "router_id", "script_user", "enable_script_security", "notification_email", "notification_email_from",
        "smtp_server", "smtp_connect_timeout", "max_auto_priority",
    };

    public static KeepalivedImportResult Import(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var errors = new List<string>();
        var warnings = new List<string>();
        List<Node> nodes;
        try
        {
            nodes = new Parser(Tokenize(text)).ParseBlock(nested: false);
        }
        catch (FormatException ex)
        {
            return new KeepalivedImportResult(null, [ex.Message], []);
        }

        var version = 2; // keepalived's default vrrp_version
        double? garpDelay = null;
        int? garpRepeat = null;
        foreach (var global in nodes.Where(n => n.Keyword == "global_defs").SelectMany(n => n.Children))
        {
            switch (global.Keyword)
            {
                case "vrrp_version":
                    version = Int(global, errors) ?? version;
                    break;
                case "vrrp_garp_master_delay":
                    garpDelay = Number(global, errors);
                    break;
                case "vrrp_garp_master_repeat":
                    garpRepeat = Int(global, errors);
                    break;
                case "vrrp_min_garp":
                    garpRepeat = 1;
                    garpDelay = 0;
                    break;
                default:
                    if (!QuietGlobals.Contains(global.Keyword))
                    {
                        warnings.Add($"line {global.Line}: global_defs '{global.Keyword}' is not imported");
                    }

                    break;
            }
        }

        var scripts = nodes.Where(n => n.Keyword == "vrrp_script").Select(n => ImportScript(n, errors, warnings)).ToList();
        var instances = nodes.Where(n => n.Keyword == "vrrp_instance").Select(n => ImportInstance(n, version, garpDelay, garpRepeat, errors, warnings)).ToList();
        foreach (var other in nodes.Where(n => n.Keyword is not ("global_defs" or "vrrp_script" or "vrrp_instance")))
        {
            var message = $"line {other.Line}: '{other.Keyword}' is not imported";
            if (other.Keyword == "vrrp_sync_group")
            {
                errors.Add(message + " (sync groups are not supported: instances would no longer fail over together)");
            }
            else
            {
                warnings.Add(message);
            }
        }

        var config = new VrrpHostConfig { Scripts = scripts, Instances = instances };
        errors.AddRange(config.Validate());
        return new KeepalivedImportResult(errors.Count == 0 ? config : null, errors, warnings);
    }

    private static VrrpTrackScriptConfig ImportScript(Node node, List<string> errors, List<string> warnings)
    {
        var script = new VrrpTrackScriptConfig { Name = node.Args.FirstOrDefault() ?? string.Empty };
        foreach (var child in node.Children)
        {
            script = child.Keyword switch
            {
                "script" => script with { Script = string.Join(' ', child.Args) },
                "interval" => script with { Interval = Number(child, errors) ?? script.Interval },
                "timeout" => script with { Timeout = Number(child, errors) ?? script.Timeout },
                "weight" => script with { Weight = Int(child, errors) ?? script.Weight },
                "fall" => script with { Fall = Int(child, errors) ?? script.Fall },
                "rise" => script with { Rise = Int(child, errors) ?? script.Rise },
                _ => Warn(script, warnings, $"line {child.Line}: vrrp_script {script.Name} '{child.Keyword}' is not imported"),
            };
        }

        return script;
    }

    private static VrrpInstanceConfig ImportInstance(Node node, int defaultVersion, double? garpDelay, int? garpRepeat, List<string> errors, List<string> warnings)
    {
        var name = node.Args.FirstOrDefault() ?? string.Empty;
        var instance = new VrrpInstanceConfig { Name = name, Version = defaultVersion, Interface = string.Empty };
        instance = garpDelay is { } d ? instance with { GarpMasterDelay = d } : instance;
        instance = garpRepeat is { } r ? instance with { GarpMasterRepeat = r } : instance;
        string? authType = null;
        string? authPass = null;
        foreach (var child in node.Children)
        {
            switch (child.Keyword)
            {
                case "state":
                    break; // only matters for priority 255, which is derived from the priority
                case "interface":
                    instance = instance with { Interface = child.Args.FirstOrDefault() ?? string.Empty };
                    break;
                case "virtual_router_id":
                    instance = instance with { Vrid = Int(child, errors) ?? 0 };
                    break;
                case "priority":
                    instance = instance with { Priority = Int(child, errors) ?? instance.Priority };
                    break;
                case "advert_int":
                    instance = instance with { AdvertInt = Number(child, errors) ?? instance.AdvertInt };
                    break;
                case "version":
                    instance = instance with { Version = Int(child, errors) ?? instance.Version };
                    break;
                case "nopreempt":
                    instance = instance with { Preempt = false };
                    break;
                case "preempt":
                    instance = instance with { Preempt = true };
                    break;
                case "preempt_delay":
                    instance = instance with { PreemptDelay = Number(child, errors) ?? 0 };
                    break;
                case "garp_master_delay":
                    instance = instance with { GarpMasterDelay = Number(child, errors) ?? instance.GarpMasterDelay };
                    break;
                case "garp_master_repeat":
                    instance = instance with { GarpMasterRepeat = Int(child, errors) ?? instance.GarpMasterRepeat };
                    break;
                case "down_timer_adverts":
                    instance = instance with { DownTimerAdverts = Int(child, errors) ?? instance.DownTimerAdverts };
                    break;
                case "unicast_src_ip":
                    instance = instance with { UnicastSrcIp = child.Args.FirstOrDefault() };
                    break;
                case "unicast_peer":
                    instance = instance with { UnicastPeers = child.Children.Select(c => c.Keyword).ToList() };
                    WarnExtras(child, warnings, "unicast_peer");
                    break;
                case "virtual_ipaddress":
                    instance = instance with { VirtualAddresses = child.Children.Select(c => c.Keyword).ToList() };
                    WarnExtras(child, warnings, "virtual_ipaddress");
                    break;
                case "authentication":
                    authType = child.Children.FirstOrDefault(c => c.Keyword == "auth_type")?.Args.FirstOrDefault();
                    authPass = child.Children.FirstOrDefault(c => c.Keyword == "auth_pass")?.Args.FirstOrDefault();
                    break;
                case "track_interface":
                    instance = instance with { TrackInterfaces = child.Children.Select(c => c.Keyword).ToList() };
                    WarnExtras(child, warnings, "track_interface", "weighted interface tracking is imported as unweighted (FAULT on link down)");
                    break;
                case "track_script":
                    instance = instance with { TrackScripts = child.Children.Select(c => c.Keyword).ToList() };
                    WarnExtras(child, warnings, "track_script", "per-instance weight overrides are not imported; the vrrp_script weight applies");
                    break;
                case "notify_master":
                    instance = instance with { NotifyMaster = string.Join(' ', child.Args) };
                    break;
                case "notify_backup":
                    instance = instance with { NotifyBackup = string.Join(' ', child.Args) };
                    break;
                case "notify_fault":
                    instance = instance with { NotifyFault = string.Join(' ', child.Args) };
                    break;
                case "notify_stop":
                    instance = instance with { NotifyStop = string.Join(' ', child.Args) };
                    break;
                case "notify":
                    instance = instance with { Notify = string.Join(' ', child.Args) };
                    break;
                case "use_vmac":
                    instance = instance with { UseVmac = true };
                    if (child.Args.Count > 0)
                    {
                        warnings.Add($"line {child.Line}: use_vmac name '{child.Args[0]}' is not imported: the interface is named vrrp.<vrid>");
                    }

                    break;
                default:
                    warnings.Add($"line {child.Line}: vrrp_instance {name} '{child.Keyword}' is not imported");
                    break;
            }
        }

        if (authType is not null)
        {
            if (instance.Version == 3)
            {
                warnings.Add($"vrrp_instance {name}: VRRP version 3 has no authentication; authentication ignored (as keepalived does)");
            }
            else if (!string.Equals(authType, "PASS", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"vrrp_instance {name}: auth_type {authType} is not supported (only PASS)");
            }
            else
            {
                instance = instance with { AuthPass = authPass ?? string.Empty };
            }
        }

        return instance;
    }

    private static void WarnExtras(Node block, List<string> warnings, string what, string? note = null)
    {
        foreach (var entry in block.Children.Where(c => c.Args.Count > 0))
        {
            warnings.Add($"line {entry.Line}: {what} options '{string.Join(' ', entry.Args)}' are not imported" + (note is null ? string.Empty : $" ({note})"));
        }
    }

    private static T Warn<T>(T value, List<string> warnings, string warning)
    {
        warnings.Add(warning);
        return value;
    }

    private static double? Number(Node node, List<string> errors)
    {
        if (node.Args.Count == 1 && double.TryParse(node.Args[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors.Add($"line {node.Line}: '{node.Keyword}' needs one number, got '{string.Join(' ', node.Args)}'");
        return null;
    }

    private static int? Int(Node node, List<string> errors)
    {
        if (node.Args.Count == 1 && int.TryParse(node.Args[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors.Add($"line {node.Line}: '{node.Keyword}' needs one integer, got '{string.Join(' ', node.Args)}'");
        return null;
    }

    private static List<(string Text, int Line, bool Quoted)> Tokenize(string text)
    {
        var tokens = new List<(string, int, bool)>();
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            var i = 0;
            while (i < line.Length)
            {
                var c = line[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (c is '#' or '!')
                {
                    break;
                }
                else if (c is '{' or '}')
                {
                    tokens.Add((c.ToString(), n + 1, false));
                    i++;
                }
                else if (c == '"')
                {
                    var end = line.IndexOf('"', i + 1);
                    if (end < 0)
                    {
                        throw new FormatException($"line {n + 1}: unterminated quoted string");
                    }

                    tokens.Add((line[(i + 1)..end], n + 1, true));
                    i = end + 1;
                }
                else
                {
                    var start = i;
                    while (i < line.Length && !char.IsWhiteSpace(line[i]) && line[i] is not ('{' or '}' or '"'))
                    {
                        i++;
                    }

                    tokens.Add((line[start..i], n + 1, false));
                }
            }
        }

        return tokens;
    }

    private sealed record Node(string Keyword, IReadOnlyList<string> Args, IReadOnlyList<Node> Children, int Line);

    private sealed class Parser(List<(string Text, int Line, bool Quoted)> tokens)
    {
        private int _position;

        public List<Node> ParseBlock(bool nested)
        {
            var nodes = new List<Node>();
            while (_position < tokens.Count)
            {
                var (text, line, quoted) = tokens[_position];
                if (!quoted && text == "}")
                {
                    if (!nested)
                    {
                        throw new FormatException($"line {line}: '}}' without a matching '{{'");
                    }

                    _position++;
                    return nodes;
                }

                if (!quoted && text == "{")
                {
                    throw new FormatException($"line {line}: '{{' without a keyword");
                }

                _position++;
                var args = new List<string>();
                while (_position < tokens.Count && tokens[_position].Line == line && (tokens[_position].Quoted || tokens[_position].Text is not ("{" or "}")))
                {
                    args.Add(tokens[_position++].Text);
                }

                List<Node> children = [];
                if (_position < tokens.Count && tokens[_position] is { Text: "{", Quoted: false })
                {
                    _position++;
                    children = ParseBlock(nested: true);
                }

                nodes.Add(new Node(text, args, children, line));
            }

            if (nested)
            {
                throw new FormatException("end of file inside a '{' block (missing '}')");
            }

            return nodes;
        }
    }
}
