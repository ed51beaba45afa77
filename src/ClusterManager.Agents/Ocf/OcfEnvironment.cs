namespace ClusterManager.Agents.Ocf;

/// <summary>
/// The environment Pacemaker gives an OCF agent (<c>lib/services/services_ocf.c</c> and <c>agents.rst</c>):
/// the OCF variables, each instance attribute as <c>OCF_RESKEY_name</c> and each meta attribute as
/// <c>OCF_RESKEY_CRM_meta_name</c> with dashes turned into underscores; timeout and interval in milliseconds.
/// </summary>
public static class OcfEnvironment
{
    /// <summary>The prefix of exit-reason lines on stderr.</summary>
    public const string ExitReasonPrefix = "ocf-exit-reason:";

    /// <summary>Builds the variables for one request (added to the executor's own environment).</summary>
    public static IReadOnlyDictionary<string, string?> For(AgentRequest request, OcfOptions options)
    {
        var env = new SortedDictionary<string, string?>(StringComparer.Ordinal)
        {
            ["OCF_ROOT"] = options.OcfRoot,
            ["OCF_RA_VERSION_MAJOR"] = "1",
            ["OCF_RA_VERSION_MINOR"] = "1",
            ["OCF_RESOURCE_INSTANCE"] = request.ResourceId.Value,
            ["OCF_RESOURCE_TYPE"] = request.Agent.Type,
            ["OCF_RESOURCE_PROVIDER"] = request.Agent.Provider,
            ["OCF_EXIT_REASON_PREFIX"] = ExitReasonPrefix,
            ["HA_RSCTMP"] = options.ResourceTempDirectory,
            ["OCF_RESKEY_crm_feature_set"] = options.FeatureSet,
        };
        foreach (var (name, value) in request.Parameters)
        {
            env["OCF_RESKEY_" + name] = value;
        }

        foreach (var (name, value) in request.Meta)
        {
            env["OCF_RESKEY_CRM_meta_" + name.Replace('-', '_')] = value;
        }

        env["OCF_RESKEY_CRM_meta_timeout"] = ((long)request.Timeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["OCF_RESKEY_CRM_meta_interval"] = ((long)request.Interval.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["OCF_RESKEY_CRM_meta_name"] = request.Action;
        if (options.NodeName is { } node)
        {
            env["OCF_RESKEY_CRM_meta_on_node"] = node;
        }

        return env;
    }

    /// <summary>The text of the last <c>ocf-exit-reason:</c> line in <paramref name="stderr"/>, or null.</summary>
    public static string? ParseExitReason(string stderr)
    {
        string? reason = null;
        foreach (var line in stderr.Split('\n'))
        {
            var at = line.IndexOf(ExitReasonPrefix, StringComparison.Ordinal);
            if (at >= 0)
            {
                reason = line[(at + ExitReasonPrefix.Length)..].Trim();
            }
        }

        return string.IsNullOrEmpty(reason) ? null : reason;
    }
}
