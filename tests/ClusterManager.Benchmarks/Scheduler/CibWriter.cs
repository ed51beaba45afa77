using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml;

namespace ClusterManager.Benchmarks.Scheduler;

/// <summary>
/// Writes a <see cref="ClusterProblem"/> as a complete CIB (configuration and status) with a streaming
/// <see cref="XmlWriter"/>: a 64 × 10,000 settled cluster is several hundred MB and is never held in memory.
/// The status section is what Pacemaker 2.1.5 records: per node a <c>node_state</c>, per resource an
/// <c>lrm_resource</c> with <c>RSC_last_0</c> (the probe, rc 7 expected 7, or the start, rc 0) and
/// <c>RSC_monitor_10000</c> on the node running it, call ids increasing per node, transition keys carrying the
/// expected rc, and op-digests computed as Pacemaker does, so that crm_simulate sees no definition change.
/// </summary>
public static class CibWriter
{
    // Pacemaker 2.1.5 (Debian 12) refuses CIB updates from a newer feature set than its own, 3.16.1.
    private const string FeatureSet = "3.16.1";

    public static void Write(ClusterProblem problem, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Write(problem, stream);
    }

    public static void Write(ClusterProblem problem, Stream stream)
    {
        var settings = new XmlWriterSettings
        {
            Indent = true,
            IndentChars = "  ",
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            OmitXmlDeclaration = true,
        };
        using var xml = XmlWriter.Create(stream, settings);
        var digests = new DigestCache();
        xml.WriteStartElement("cib");
        Attr(xml, "crm_feature_set", FeatureSet);
        Attr(xml, "validate-with", "pacemaker-3.7");
        Attr(xml, "epoch", "1");
        Attr(xml, "num_updates", "0");
        Attr(xml, "admin_epoch", "0");
        Attr(xml, "have-quorum", "1");
        Attr(xml, "dc-uuid", "1");
        Attr(xml, "execution-date", ClusterProblem.ExecutionDate.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        xml.WriteStartElement("configuration");
        WriteProperties(xml, problem);
        WriteNodes(xml, problem);
        WriteResources(xml, problem);
        WriteConstraints(xml, problem);
        if (problem.Stickiness != 0)
        {
            xml.WriteStartElement("rsc_defaults");
            xml.WriteStartElement("meta_attributes");
            Attr(xml, "id", "rsc-options");
            NvPair(xml, "rsc-options", "resource-stickiness", problem.Stickiness.ToString(CultureInfo.InvariantCulture));
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
        WriteStatus(xml, problem, digests);
        xml.WriteEndElement();
    }

    private static void WriteProperties(XmlWriter xml, ClusterProblem problem)
    {
        xml.WriteStartElement("crm_config");
        xml.WriteStartElement("cluster_property_set");
        Attr(xml, "id", "cib-bootstrap-options");
        NvPair(xml, "cib-bootstrap-options", "have-watchdog", "false");
        NvPair(xml, "cib-bootstrap-options", "dc-version", "2.1.5-a3f44794f94");
        NvPair(xml, "cib-bootstrap-options", "cluster-infrastructure", "corosync");
        NvPair(xml, "cib-bootstrap-options", "cluster-name", "bench");
        NvPair(xml, "cib-bootstrap-options", "stonith-enabled", problem.FencingEnabled ? "true" : "false");
        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    private static void WriteNodes(XmlWriter xml, ClusterProblem problem)
    {
        xml.WriteStartElement("nodes");
        for (var n = 0; n < problem.NodeNames.Count; n++)
        {
            xml.WriteStartElement("node");
            Attr(xml, "id", NodeId(n));
            Attr(xml, "uname", problem.NodeNames[n]);
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    }

    private static void WriteResources(XmlWriter xml, ClusterProblem problem)
    {
        xml.WriteStartElement("resources");
        foreach (var item in problem.Items)
        {
            switch (item.Kind)
            {
                case ItemKind.Group:
                    xml.WriteStartElement("group");
                    Attr(xml, "id", item.Id);
                    foreach (var p in item.Primitives)
                    {
                        WritePrimitive(xml, p);
                    }

                    xml.WriteEndElement();
                    break;
                case ItemKind.Clone:
                    xml.WriteStartElement("clone");
                    Attr(xml, "id", item.Id);
                    xml.WriteStartElement("meta_attributes");
                    Attr(xml, "id", $"{item.Id}-meta_attributes");
                    NvPair(xml, $"{item.Id}-meta_attributes", "interleave", "true");
                    xml.WriteEndElement();
                    WritePrimitive(xml, item.Primitives[0]);
                    xml.WriteEndElement();
                    break;
                default:
                    WritePrimitive(xml, item.Primitives[0]);
                    break;
            }
        }

        xml.WriteEndElement();
    }

    private static void WritePrimitive(XmlWriter xml, GeneratedPrimitive p)
    {
        xml.WriteStartElement("primitive");
        Attr(xml, "id", p.Id);
        Attr(xml, "class", p.Class);
        if (p.Provider is not null)
        {
            Attr(xml, "provider", p.Provider);
        }

        Attr(xml, "type", p.Type);
        if (p.Parameters.Count > 0)
        {
            xml.WriteStartElement("instance_attributes");
            Attr(xml, "id", $"{p.Id}-instance_attributes");
            foreach (var (name, value) in p.Parameters)
            {
                NvPair(xml, $"{p.Id}-instance_attributes", name, value);
            }

            xml.WriteEndElement();
        }

        xml.WriteStartElement("operations");
        var seconds = p.MonitorIntervalMs / 1000;
        xml.WriteStartElement("op");
        Attr(xml, "id", $"{p.Id}-monitor-interval-{seconds}s");
        Attr(xml, "name", "monitor");
        Attr(xml, "interval", $"{seconds}s");
        Attr(xml, "timeout", $"{GeneratedPrimitive.MonitorTimeoutMs / 1000}s");
        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    private static void WriteConstraints(XmlWriter xml, ClusterProblem problem)
    {
        xml.WriteStartElement("constraints");
        foreach (var c in problem.Constraints)
        {
            switch (c.Kind)
            {
                case ConstraintKind.Location:
                    xml.WriteStartElement("rsc_location");
                    Attr(xml, "id", c.Id);
                    Attr(xml, "rsc", c.First.Id);
                    Attr(xml, "node", problem.NodeNames[c.Node]);
                    Attr(xml, "score", ScoreText(c.Score));
                    xml.WriteEndElement();
                    break;
                case ConstraintKind.Colocation:
                    xml.WriteStartElement("rsc_colocation");
                    Attr(xml, "id", c.Id);
                    Attr(xml, "rsc", c.Then!.Id);
                    Attr(xml, "with-rsc", c.First.Id);
                    Attr(xml, "score", ScoreText(c.Score));
                    xml.WriteEndElement();
                    break;
                default:
                    xml.WriteStartElement("rsc_order");
                    Attr(xml, "id", c.Id);
                    Attr(xml, "first", c.First.Id);
                    Attr(xml, "then", c.Then!.Id);
                    Attr(xml, "kind", c.Mandatory ? "Mandatory" : "Optional");
                    xml.WriteEndElement();
                    break;
            }
        }

        xml.WriteEndElement();
    }

    private static void WriteStatus(XmlWriter xml, ClusterProblem problem, DigestCache digests)
    {
        xml.WriteStartElement("status");
        var withHistory = problem.Scenario != Scenario.Stopped;
        var graphUuid = new Guid(BitConverter.GetBytes((long)problem.Seed).Concat(BitConverter.GetBytes(0x5EED_5EEDL)).ToArray())
            .ToString();
        var baseTime = ClusterProblem.ExecutionDate.ToUnixTimeSeconds() - 3600;
        for (var n = 0; n < problem.NodeNames.Count; n++)
        {
            var lost = n == problem.ChangedNode && problem.Scenario is Scenario.FailUnclean or Scenario.FailClean;
            xml.WriteStartElement("node_state");
            Attr(xml, "id", NodeId(n));
            Attr(xml, "uname", problem.NodeNames[n]);
            Attr(xml, "in_ccm", lost ? "false" : "true");
            Attr(xml, "crmd", lost ? "offline" : "online");
            Attr(xml, "crm-debug-origin", "do_update_resource");
            Attr(xml, "join", lost ? "down" : "member");
            // Unclean: still expected to be a member but gone. Clean: the node said it was leaving.
            Attr(xml, "expected", lost && problem.Scenario == Scenario.FailClean ? "down" : "member");
            xml.WriteStartElement("lrm");
            Attr(xml, "id", NodeId(n));
            xml.WriteStartElement("lrm_resources");
            var joining = problem.Scenario == Scenario.Join && n == problem.ChangedNode;
            if (withHistory && !joining)
            {
                WriteNodeHistory(xml, problem, n, digests, graphUuid, baseTime);
            }

            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    }

    private static void WriteNodeHistory(
        XmlWriter xml, ClusterProblem problem, int node, DigestCache digests, string graphUuid, long baseTime)
    {
        // Call ids as the executor hands them out: all probes first (transition 0), then starts and monitors (1).
        var primitives = problem.PrimitiveCount;
        var probeCall = 1;
        var startCall = primitives + 1;
        var action = 0;
        foreach (var item in problem.Items)
        {
            var where = problem.Placement.Node(item);
            var here = item.Kind == ItemKind.Clone || where == node;
            foreach (var p in item.Primitives)
            {
                action++;
                xml.WriteStartElement("lrm_resource");
                Attr(xml, "id", p.Id);
                Attr(xml, "class", p.Class);
                if (p.Provider is not null)
                {
                    Attr(xml, "provider", p.Provider);
                }

                Attr(xml, "type", p.Type);
                if (here)
                {
                    var start = startCall;
                    startCall += 2;
                    Op(xml, p, problem.NodeNames[node], $"{p.Id}_last_0", "start", 0, start, 0,
                        $"{action}:1:0:{graphUuid}", baseTime + 60, digests.Start(p));
                    Op(xml, p, problem.NodeNames[node], $"{p.Id}_monitor_{p.MonitorIntervalMs}", "monitor", p.MonitorIntervalMs,
                        start + 1, 0, $"{action + primitives}:1:0:{graphUuid}", baseTime + 61, digests.Monitor(p));
                    probeCall++;
                }
                else
                {
                    Op(xml, p, problem.NodeNames[node], $"{p.Id}_last_0", "monitor", 0, probeCall++, 7,
                        $"{action}:0:7:{graphUuid}", baseTime, digests.Start(p));
                }

                xml.WriteEndElement();
            }
        }
    }

    private static void Op(
        XmlWriter xml, GeneratedPrimitive p, string node, string id, string operation, int intervalMs, int callId,
        int rc, string transitionKey, long time, string digest)
    {
        var t = time.ToString(CultureInfo.InvariantCulture);
        xml.WriteStartElement("lrm_rsc_op");
        Attr(xml, "id", id);
        Attr(xml, "operation_key", $"{p.Id}_{operation}_{intervalMs}");
        Attr(xml, "operation", operation);
        Attr(xml, "crm-debug-origin", "do_update_resource");
        Attr(xml, "crm_feature_set", FeatureSet);
        Attr(xml, "transition-key", transitionKey);
        Attr(xml, "transition-magic", $"0:{rc};{transitionKey}");
        Attr(xml, "exit-reason", "");
        Attr(xml, "on_node", node);
        Attr(xml, "call-id", callId.ToString(CultureInfo.InvariantCulture));
        Attr(xml, "rc-code", rc.ToString(CultureInfo.InvariantCulture));
        Attr(xml, "op-status", "0");
        Attr(xml, "interval", intervalMs.ToString(CultureInfo.InvariantCulture));
        if (intervalMs == 0)
        {
            Attr(xml, "last-rc-change", t);
            Attr(xml, "last-run", t);
        }
        else
        {
            Attr(xml, "last-rc-change", t);
        }

        Attr(xml, "exec-time", rc == 7 ? "12" : "25");
        Attr(xml, "queue-time", "0");
        Attr(xml, "op-digest", digest);
        xml.WriteEndElement();
    }

    private static string NodeId(int node) => (node + 1).ToString(CultureInfo.InvariantCulture);

    private static string ScoreText(int score) => score switch
    {
        >= ClusterProblem.Infinity => "INFINITY",
        <= -ClusterProblem.Infinity => "-INFINITY",
        _ => score.ToString(CultureInfo.InvariantCulture),
    };

    private static void Attr(XmlWriter xml, string name, string value) => xml.WriteAttributeString(name, value);

    private static void NvPair(XmlWriter xml, string setId, string name, string value)
    {
        xml.WriteStartElement("nvpair");
        Attr(xml, "id", $"{setId}-{name}");
        Attr(xml, "name", name);
        Attr(xml, "value", value);
        xml.WriteEndElement();
    }

    /// <summary>
    /// Pacemaker's operation digest (lib/common/digest.c, v1): MD5 of <c>" &lt;parameters a="v" .../&gt;\n"</c>
    /// with the attributes sorted by name; a recurring operation keeps <c>CRM_meta_timeout</c>.
    /// </summary>
    private sealed class DigestCache
    {
        private readonly Dictionary<string, string> _cache = new(StringComparer.Ordinal);

        public string Start(GeneratedPrimitive p) => Digest(p.Parameters);

        public string Monitor(GeneratedPrimitive p) =>
            Digest([.. p.Parameters, ("CRM_meta_timeout", GeneratedPrimitive.MonitorTimeoutMs.ToString(CultureInfo.InvariantCulture))]);

        private string Digest(IReadOnlyList<(string Name, string Value)> parameters)
        {
            var text = new StringBuilder(" <parameters");
            foreach (var (name, value) in parameters.OrderBy(x => x.Name, StringComparer.Ordinal))
            {
                text.Append(' ').Append(name).Append("=\"").Append(value).Append('"');
            }

            text.Append("/>\n");
            var key = text.ToString();
            if (!_cache.TryGetValue(key, out var digest))
            {
                digest = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(key)));
                _cache[key] = digest;
            }

            return digest;
        }
    }
}
