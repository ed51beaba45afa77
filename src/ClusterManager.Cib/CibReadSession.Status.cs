using System.Collections.Immutable;
using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using ClusterManager.Model;
using ClusterManager.Model.Status;

namespace ClusterManager.Cib;

/// <summary>
/// The status section, read straight from the <see cref="XmlReader"/> (no tree): on large clusters it holds one
/// history entry per resource per node and is most of the document. Low-cardinality values (agent, operation,
/// node names) are pooled so 100,000s of records share their strings.
/// </summary>
internal sealed partial class CibReadSession
{
    private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);

    private string Pool(string value)
    {
        if (_pool.TryGetValue(value, out var pooled))
        {
            return pooled;
        }

        if (_pool.Count < 100_000)
        {
            _pool[value] = value;
        }

        return value;
    }

    private string? PoolOrNull(string? value) => value is null ? null : Pool(value);

    private static int LineOf(XmlReader r) => r is IXmlLineInfo li && li.HasLineInfo() ? li.LineNumber : 0;

    private static CibFormatException StatusError(string tag, string? id, int line, string path, string problem)
    {
        var what = id is null ? tag : $"{tag} '{id}'";
        var at = line > 0 ? $" (line {line.ToString(CultureInfo.InvariantCulture)})" : "";
        return new CibFormatException($"{what}: {problem}{at}", path);
    }

    private static string Step(string parent, string tag, string? id) =>
        id is null ? $"{parent}/{tag}" : $"{parent}/{tag}[@id='{id}']";

    /// <summary>Reads one <c>node_state</c>; the reader is on its start tag and ends after its end tag.</summary>
    public void ReadNodeState(XmlReader r)
    {
        var line = LineOf(r);
        string? id = null, uname = null, inCcm = null, crmd = null, join = null, expected = null;
        while (r.MoveToNextAttribute())
        {
            switch (r.LocalName)
            {
                case "id": id = r.Value; break;
                case "uname": uname = r.Value; break;
                case "in_ccm": inCcm = r.Value; break;
                case "crmd": crmd = r.Value; break;
                case "join": join = r.Value; break;
                case "expected": expected = r.Value; break;
            }
        }

        r.MoveToElement();
        var path = Step("/cib/status", "node_state", id);
        if (id is null)
        {
            throw StatusError("node_state", null, line, path, "required attribute 'id' is missing");
        }

        NodeName name;
        if (uname is not null)
        {
            name = new NodeName(uname);
        }
        else if (!_nodeNamesById.TryGetValue(id, out name))
        {
            throw StatusError("node_state", id, line, path, "has no uname and its id names no configured node");
        }

        _nodeNamesById.TryAdd(id, name);

        var attributes = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var resources = ImmutableArray.CreateBuilder<ResourceHistory>();
        CibXml.Children(r, child =>
        {
            switch (child.LocalName)
            {
                case "transient_attributes":
                    ReadTransientAttributes(child, path, attributes);
                    break;
                case "lrm":
                    CibXml.Children(child, list =>
                    {
                        if (list.LocalName != "lrm_resources")
                        {
                            list.Skip();
                            return;
                        }

                        CibXml.Children(list, rsc =>
                        {
                            if (rsc.LocalName == "lrm_resource")
                            {
                                resources.Add(ReadResourceHistory(rsc, $"{path}/lrm/lrm_resources"));
                            }
                            else
                            {
                                rsc.Skip();
                            }
                        });
                    });
                    break;
                default:
                    Warn($"node_state '{id}': <{child.LocalName}> in node_state is not modelled; ignored");
                    child.Skip();
                    break;
            }
        });

        _nodeStates.Add(new NodeState(
            id,
            name,
            MembershipFlag(inCcm),
            MembershipFlag(crmd),
            PoolOrNull(join),
            PoolOrNull(expected),
            attributes.ToImmutable(),
            resources.ToImmutable()));
    }

    /// <summary>Transient attributes: every nvpair of every set; later values overwrite earlier ones (as Pacemaker unpacks them).</summary>
    private static void ReadTransientAttributes(XmlReader r, string path, ImmutableSortedDictionary<string, string>.Builder into)
    {
        CibXml.Children(r, set => CibXml.Children(set, nv =>
        {
            if (nv.LocalName != "nvpair")
            {
                nv.Skip();
                return;
            }

            var line = LineOf(nv);
            var nvId = nv.GetAttribute("id");
            var name = nv.GetAttribute("name");
            var value = nv.GetAttribute("value");
            if (name is null)
            {
                throw StatusError("nvpair", nvId, line, Step($"{path}/transient_attributes", "nvpair", nvId), "required attribute 'name' is missing");
            }

            if (value is not null)
            {
                into[name] = value;
            }

            nv.Skip();
        }));
    }

    /// <summary>
    /// <c>in_ccm</c> / <c>crmd</c>: true/false/yes/no/online/offline, or (Pacemaker 2.1.7+) an epoch timestamp where
    /// nonzero means up. Absent is null; anything else is down, as Pacemaker treats it.
    /// </summary>
    private static bool? MembershipFlag(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (text.Equals("online", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var stamp))
        {
            return stamp != 0;
        }

        return CibXml.TryParseBool(text, out var b) && b;
    }

    private ResourceHistory ReadResourceHistory(XmlReader r, string parent)
    {
        var line = LineOf(r);
        string? id = null, cls = null, provider = null, type = null, container = null;
        while (r.MoveToNextAttribute())
        {
            switch (r.LocalName)
            {
                case "id": id = Pool(r.Value); break;
                case "class": cls = Pool(r.Value); break;
                case "provider": provider = Pool(r.Value); break;
                case "type": type = Pool(r.Value); break;
                case "container": container = r.Value; break;
            }
        }

        r.MoveToElement();
        var path = Step(parent, "lrm_resource", id);
        if (id is null)
        {
            throw StatusError("lrm_resource", null, line, path, "required attribute 'id' is missing");
        }

        if (cls is null || type is null)
        {
            throw StatusError("lrm_resource", id, line, path, $"required attribute '{(cls is null ? "class" : "type")}' is missing");
        }

        var ops = ImmutableArray.CreateBuilder<OperationRecord>();
        CibXml.Children(r, op =>
        {
            if (op.LocalName == "lrm_rsc_op")
            {
                ops.Add(ReadOperationRecord(op, id, path));
            }

            op.Skip();
        });
        return new ResourceHistory(new ResourceId(id), cls, provider, type, container, ops.ToImmutable());
    }

    private OperationRecord ReadOperationRecord(XmlReader r, string resourceId, string parent)
    {
        var line = LineOf(r);
        string? id = null, operationKey = null, operation = null, callId = null, rc = null, status = null, interval = null;
        string? key = null, magic = null, lastRcChange = null, lastRun = null, exitReason = null, digest = null, onNode = null;
        string? migrateSource = null, migrateTarget = null, execTime = null, forceRestart = null, restartDigest = null;
        while (r.MoveToNextAttribute())
        {
            switch (r.LocalName)
            {
                case "id": id = r.Value; break;
                case "operation_key": operationKey = r.Value; break;
                case "operation": operation = Pool(r.Value); break;
                case "call-id": callId = r.Value; break;
                case "rc-code": rc = r.Value; break;
                case "op-status": status = r.Value; break;
                case "interval": interval = r.Value; break;
                case "transition-key": key = r.Value; break;
                case "transition-magic": magic = r.Value; break;
                case "last-rc-change" or "last_rc_change": lastRcChange = r.Value; break;
                case "last-run" or "last_run": lastRun = r.Value; break;
                case "exit-reason": exitReason = Pool(r.Value); break;
                case "op-digest": digest = Pool(r.Value); break;
                case "on_node": onNode = Pool(r.Value); break;
                case "migrate_source": migrateSource = Pool(r.Value); break;
                case "migrate_target": migrateTarget = Pool(r.Value); break;
                case "exec-time" or "exec_time": execTime = r.Value; break;
                case "op-force-restart": forceRestart = Pool(r.Value); break;
                case "op-restart-digest": restartDigest = Pool(r.Value); break;
            }
        }

        r.MoveToElement();
        var path = Step(parent, "lrm_rsc_op", id);
        CibFormatException Bad(string problem) => StatusError("lrm_rsc_op", id, line, path, problem);

        int Int(string name, string? text)
        {
            if (text is null)
            {
                throw Bad($"required attribute '{name}' is missing");
            }

            return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw Bad($"{name} '{text}' is not an integer");
        }

        long? Long(string name, string? text)
        {
            if (text is null)
            {
                return null;
            }

            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw Bad($"{name} '{text}' is not an integer");
        }

        if (id is null)
        {
            throw Bad("required attribute 'id' is missing");
        }

        if (operation is null)
        {
            throw Bad("required attribute 'operation' is missing");
        }

        var intervalMs = Long("interval", interval) ?? 0;
        if (intervalMs < 0)
        {
            throw Bad($"interval '{interval}' is negative");
        }

        var expected = ExpectedRcFromKey(key);
        if (key is null && magic is not null)
        {
            // STATUS:RC;ACTION:GRAPH:TARGET_RC:UUID
            var semicolon = magic.IndexOf(';', StringComparison.Ordinal);
            expected = semicolon >= 0 ? ExpectedRcFromKey(magic[(semicolon + 1)..]) : null;
        }

        return new OperationRecord(
            id,
            operationKey ?? $"{resourceId}_{operation}_{intervalMs.ToString(CultureInfo.InvariantCulture)}",
            operation,
            Int("call-id", callId),
            Int("rc-code", rc),
            Int("op-status", status),
            TimeSpan.FromMilliseconds(intervalMs),
            expected,
            key,
            Long("last-rc-change", lastRcChange),
            Long("last-run", lastRun),
            exitReason,
            digest,
            onNode,
            migrateSource,
            migrateTarget,
            Long("exec-time", execTime))
        {
            ForceRestart = forceRestart,
            RestartDigest = restartDigest,
        };
    }

    /// <summary>The third field of <c>ACTION:GRAPH:TARGET_RC:UUID</c>.</summary>
    private static int? ExpectedRcFromKey(string? key)
    {
        if (key is null)
        {
            return null;
        }

        var span = key.AsSpan();
        var first = span.IndexOf(':');
        if (first < 0)
        {
            return null;
        }

        var rest = span[(first + 1)..];
        var second = rest.IndexOf(':');
        if (second < 0)
        {
            return null;
        }

        rest = rest[(second + 1)..];
        var third = rest.IndexOf(':');
        return third >= 0 && int.TryParse(rest[..third], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var rc)
            ? rc
            : null;
    }

    public void ReadTickets(XElement tickets)
    {
        foreach (var t in tickets.Elements())
        {
            if (t.Name.LocalName != "ticket_state")
            {
                Warn($"{CibXml.Describe(t)}: <{t.Name.LocalName}> in tickets is not modelled; ignored");
                continue;
            }

            var granted = t.Attr("granted") is { } g && CibXml.TryParseBool(g, out var gb) && gb;
            var standby = t.Attr("standby") is { } s && CibXml.TryParseBool(s, out var sb) && sb;
            _tickets.Add(new TicketState(t.Required("id"), granted, standby, t.OptionalLong("last-granted")));
        }
    }
}
