using System.Globalization;
using System.Text;
using System.Xml;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using ClusterManager.Model.Status;

namespace ClusterManager.Cib;

/// <summary>
/// Writes a snapshot as a CIB that Pacemaker 2.1.5 accepts (<c>validate-with="pacemaker-3.7"</c>), so
/// <c>crm_simulate -x</c> can run on it. <see cref="CibReader.Parse"/> of the output gives back the same snapshot
/// (Now truncated to whole seconds, written as <c>execution-date</c>). A set, rule or resource set that appears
/// more than once (an id-ref in the source CIB) is written in full once and as an <c>id-ref</c> after that.
/// </summary>
public static class CibWriter
{
    /// <summary>Writes <paramref name="snapshot"/> as CIB XML text.</summary>
    public static string Write(ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var sb = new StringBuilder();
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", OmitXmlDeclaration = true, NewLineChars = "\n" };
        using (var writer = XmlWriter.Create(sb, settings))
        {
            new Session(writer).WriteCib(snapshot);
        }

        sb.Append('\n');
        return sb.ToString();
    }

    private sealed class Session(XmlWriter w)
    {
        private readonly HashSet<string> _written = new(StringComparer.Ordinal);

        public void WriteCib(ClusterSnapshot s)
        {
            w.WriteStartElement("cib");
            Attr("validate-with", "pacemaker-3.7");
            Attr("epoch", CibXml.Text(s.Version));
            Attr("num_updates", "0");
            Attr("admin_epoch", "0");
            Attr("have-quorum", s.Status.HaveQuorum ? "true" : "false");
            if (s.Status.DesignatedController is { } dc)
            {
                Attr("dc-uuid", NodeIdOf(s, dc));
            }

            Attr("crm_feature_set", s.Status.FeatureSet);
            if (s.Status.NoQuorumPanic)
            {
                Attr("no-quorum-panic", "1");
            }

            Attr("execution-date", CibXml.Text(s.Now.ToUnixTimeSeconds()));
            WriteConfiguration(s.Configuration);
            WriteStatus(s.Status);
            w.WriteEndElement();
        }

        private static string NodeIdOf(ClusterSnapshot s, NodeName name) =>
            s.Configuration.Nodes.FirstOrDefault(n => n.Name == name)?.Id
            ?? s.Status.Nodes.FirstOrDefault(n => n.Name == name)?.Id
            ?? name.Value;

        private void Attr(string name, string? value)
        {
            if (value is not null)
            {
                w.WriteAttributeString(name, value);
            }
        }

        private void WriteConfiguration(ClusterConfiguration c)
        {
            w.WriteStartElement("configuration");
            w.WriteStartElement("crm_config");
            WriteSets("cluster_property_set", c.Properties);
            w.WriteEndElement();

            w.WriteStartElement("nodes");
            foreach (var n in c.Nodes)
            {
                w.WriteStartElement("node");
                Attr("id", n.Id);
                Attr("uname", n.Name.Value);
                Attr("type", n.Type switch { NodeType.Remote => "remote", NodeType.Ping => "ping", _ => "member" });
                Attr("score", n.Score?.ToString());
                WriteSets("instance_attributes", n.Attributes);
                WriteSets("utilization", n.Utilization);
                w.WriteEndElement();
            }

            w.WriteEndElement();

            w.WriteStartElement("resources");
            foreach (var r in c.Resources)
            {
                WriteResource(r);
            }

            w.WriteEndElement();

            w.WriteStartElement("constraints");
            foreach (var constraint in c.Constraints)
            {
                WriteConstraint(constraint);
            }

            w.WriteEndElement();

            if (!c.ResourceDefaults.IsEmpty)
            {
                w.WriteStartElement("rsc_defaults");
                WriteSets("meta_attributes", c.ResourceDefaults);
                w.WriteEndElement();
            }

            if (!c.OperationDefaults.IsEmpty)
            {
                w.WriteStartElement("op_defaults");
                WriteSets("meta_attributes", c.OperationDefaults);
                w.WriteEndElement();
            }

            if (!c.FencingTopology.IsEmpty)
            {
                w.WriteStartElement("fencing-topology");
                foreach (var level in c.FencingTopology)
                {
                    w.WriteStartElement("fencing-level");
                    Attr("id", level.Id);
                    Attr("index", CibXml.Text(level.Index));
                    Attr("target", level.Target?.Value);
                    Attr("target-pattern", level.TargetPattern);
                    Attr("target-attribute", level.TargetAttribute);
                    Attr("target-value", level.TargetValue);
                    Attr("devices", string.Join(',', level.Devices.Select(d => d.Value)));
                    w.WriteEndElement();
                }

                w.WriteEndElement();
            }

            w.WriteEndElement();
        }

        private void WriteSets(string element, IEnumerable<NvSet> sets)
        {
            foreach (var set in sets)
            {
                w.WriteStartElement(element);
                if (!_written.Add(set.Id))
                {
                    Attr("id-ref", set.Id);
                    w.WriteEndElement();
                    continue;
                }

                Attr("id", set.Id);
                if (set.Score != 0)
                {
                    Attr("score", Score.From(set.Score).ToString());
                }

                if (set.Rule is not null)
                {
                    WriteRule(set.Rule);
                }

                foreach (var pair in set.Pairs)
                {
                    w.WriteStartElement("nvpair");
                    if (_written.Add(pair.Id))
                    {
                        Attr("id", pair.Id);
                        Attr("name", pair.Name);
                        Attr("value", pair.Value);
                    }
                    else
                    {
                        Attr("id-ref", pair.Id);
                        Attr("name", pair.Name);
                    }

                    w.WriteEndElement();
                }

                w.WriteEndElement();
            }
        }

        private void WriteRule(Rule rule)
        {
            w.WriteStartElement("rule");
            if (!_written.Add(rule.Id))
            {
                Attr("id-ref", rule.Id);
                w.WriteEndElement();
                return;
            }

            Attr("id", rule.Id);
            // The 3.x schemas require score or score-attribute on every rule; Pacemaker reads a missing score as 0.
            Attr("score", rule.Score?.ToString() ?? (rule.ScoreAttribute is null ? "0" : null));
            Attr("score-attribute", rule.ScoreAttribute);
            Attr("boolean-op", rule.BooleanOp == RuleBooleanOp.Or ? "or" : "and");
            Attr("role", rule.Role is { } role ? CibXml.RoleText(role) : null);
            foreach (var expression in rule.Expressions)
            {
                switch (expression)
                {
                    case AttributeExpression a:
                        w.WriteStartElement("expression");
                        Attr("id", a.Id);
                        Attr("attribute", a.Attribute);
                        Attr("operation", a.Operation);
                        Attr("value", a.Value);
                        Attr("type", a.Type);
                        Attr("value-source", a.ValueSource);
                        w.WriteEndElement();
                        break;
                    case DateExpression d:
                        w.WriteStartElement("date_expression");
                        Attr("id", d.Id);
                        Attr("operation", d.Operation);
                        Attr("start", d.Start);
                        Attr("end", d.End);
                        WriteFields("date_spec", d.Id, d.DateSpec);
                        WriteFields("duration", d.Id, d.Duration);
                        w.WriteEndElement();
                        break;
                    case ResourceExpression r:
                        w.WriteStartElement("rsc_expression");
                        Attr("id", r.Id);
                        Attr("class", r.Class);
                        Attr("provider", r.Provider);
                        Attr("type", r.Type);
                        w.WriteEndElement();
                        break;
                    case OperationExpression o:
                        w.WriteStartElement("op_expression");
                        Attr("id", o.Id);
                        Attr("name", o.Name);
                        Attr("interval", o.Interval is { } i ? Durations.Format(i) : null);
                        w.WriteEndElement();
                        break;
                    case NestedRuleExpression n:
                        WriteRule(n.Rule);
                        break;
                    default:
                        throw new ArgumentException($"rule '{rule.Id}': unknown expression type {expression.GetType().Name}", nameof(rule));
                }
            }

            w.WriteEndElement();
        }

        private void WriteFields(string element, string ownerId, IReadOnlyDictionary<string, string>? fields)
        {
            if (fields is null)
            {
                return;
            }

            w.WriteStartElement(element);
            Attr("id", fields.TryGetValue("id", out var id) ? id : $"{ownerId}-{element}");
            foreach (var (name, value) in fields)
            {
                if (name != "id")
                {
                    Attr(name, value);
                }
            }

            w.WriteEndElement();
        }

        private void WriteResource(ResourceConfig r)
        {
            switch (r)
            {
                case PrimitiveConfig p:
                    w.WriteStartElement("primitive");
                    Attr("id", p.Id.Value);
                    Attr("class", p.Class);
                    Attr("provider", p.Provider);
                    Attr("type", p.Type);
                    WriteSets("instance_attributes", p.InstanceAttributes);
                    WriteSets("meta_attributes", p.Meta);
                    WriteSets("utilization", p.Utilization);
                    if (!p.Operations.IsEmpty)
                    {
                        w.WriteStartElement("operations");
                        foreach (var op in p.Operations)
                        {
                            WriteOperation(op);
                        }

                        w.WriteEndElement();
                    }

                    w.WriteEndElement();
                    break;
                case GroupConfig g:
                    w.WriteStartElement("group");
                    Attr("id", g.Id.Value);
                    WriteSets("meta_attributes", g.Meta);
                    foreach (var m in g.Members)
                    {
                        WriteResource(m);
                    }

                    w.WriteEndElement();
                    break;
                case CloneConfig c:
                    w.WriteStartElement(c.IsLegacyMaster ? "master" : "clone");
                    Attr("id", c.Id.Value);
                    WriteSets("meta_attributes", c.Meta);
                    WriteResource(c.Child);
                    w.WriteEndElement();
                    break;
                default:
                    throw new ArgumentException($"resource '{r.Id}': unknown resource type {r.GetType().Name}", nameof(r));
            }
        }

        private void WriteOperation(OperationConfig op)
        {
            w.WriteStartElement("op");
            Attr("id", op.Id);
            Attr("name", op.Name);
            Attr("interval", Durations.Format(op.Interval));
            Attr("timeout", op.Timeout is { } t ? Durations.Format(t) : null);
            Attr("role", op.Role is { } role ? CibXml.RoleText(role) : null);
            Attr("on-fail", op.OnFail);
            if (!op.Enabled)
            {
                Attr("enabled", "false");
            }

            foreach (var (name, value) in op.Extra)
            {
                Attr(name, value);
            }

            WriteSets("meta_attributes", op.Meta);
            WriteSets("instance_attributes", op.InstanceAttributes);
            w.WriteEndElement();
        }

        private void WriteResourceSets(IEnumerable<ResourceSet> sets)
        {
            foreach (var set in sets)
            {
                w.WriteStartElement("resource_set");
                if (!_written.Add(set.Id))
                {
                    Attr("id-ref", set.Id);
                    w.WriteEndElement();
                    continue;
                }

                Attr("id", set.Id);
                Attr("sequential", Bool(set.Sequential));
                Attr("require-all", Bool(set.RequireAll));
                Attr("ordering", set.Ordering);
                Attr("action", set.Action?.ToText());
                Attr("role", set.Role is { } role ? CibXml.RoleText(role) : null);
                // The schema allows score or kind on a set, not both; kind decides an ordering when both are given.
                Attr("score", set.Kind is null ? set.Score?.ToString() : null);
                Attr("kind", set.Kind is { } kind ? CibXml.KindText(kind) : null);
                foreach (var r in set.Resources)
                {
                    w.WriteStartElement("resource_ref");
                    Attr("id", r.Value);
                    w.WriteEndElement();
                }

                w.WriteEndElement();
            }
        }

        private static string? Bool(bool? b) => b switch { null => null, true => "true", false => "false" };

        private void WriteConstraint(Constraint constraint)
        {
            switch (constraint)
            {
                case LocationConstraint l:
                    w.WriteStartElement("rsc_location");
                    Attr("id", l.Id);
                    Attr("rsc", l.Resource?.Value);
                    Attr("rsc-pattern", l.ResourcePattern);
                    Attr("role", l.Role is { } lr ? CibXml.RoleText(lr) : null);
                    Attr("node", l.Node?.Value);
                    Attr("score", l.Score?.ToString());
                    if (l.Discovery != ResourceDiscovery.Always)
                    {
                        Attr("resource-discovery", l.Discovery == ResourceDiscovery.Never ? "never" : "exclusive");
                    }

                    WriteResourceSets(l.Sets);
                    foreach (var rule in l.Rules)
                    {
                        WriteRule(rule);
                    }

                    w.WriteEndElement();
                    break;
                case ColocationConstraint c:
                    w.WriteStartElement("rsc_colocation");
                    Attr("id", c.Id);
                    Attr("rsc", c.Dependent?.Value);
                    Attr("with-rsc", c.Primary?.Value);
                    Attr("score", c.Score.ToString());
                    Attr("rsc-role", c.DependentRole is { } dr ? CibXml.RoleText(dr) : null);
                    Attr("with-rsc-role", c.PrimaryRole is { } pr ? CibXml.RoleText(pr) : null);
                    Attr("node-attribute", c.NodeAttribute);
                    Attr("influence", Bool(c.Influence));
                    WriteResourceSets(c.Sets);
                    w.WriteEndElement();
                    break;
                case OrderConstraint o:
                    w.WriteStartElement("rsc_order");
                    Attr("id", o.Id);
                    Attr("first", o.First?.Value);
                    Attr("then", o.Then?.Value);
                    Attr("first-action", o.FirstAction?.ToText());
                    Attr("then-action", o.ThenAction?.ToText());
                    Attr("kind", CibXml.KindText(o.Kind));
                    Attr("symmetrical", Bool(o.Symmetrical));
                    Attr("require-all", Bool(o.RequireAll));
                    WriteResourceSets(o.Sets);
                    w.WriteEndElement();
                    break;
                case TicketConstraint t:
                    w.WriteStartElement("rsc_ticket");
                    Attr("id", t.Id);
                    Attr("rsc", t.Resource?.Value);
                    Attr("rsc-role", t.Role is { } tr ? CibXml.RoleText(tr) : null);
                    Attr("ticket", t.Ticket);
                    Attr("loss-policy", t.LossPolicy);
                    WriteResourceSets(t.Sets);
                    w.WriteEndElement();
                    break;
                default:
                    throw new ArgumentException($"constraint '{constraint.Id}': unknown constraint type {constraint.GetType().Name}", nameof(constraint));
            }
        }

        private void WriteStatus(ClusterStatus status)
        {
            w.WriteStartElement("status");
            foreach (var n in status.Nodes)
            {
                w.WriteStartElement("node_state");
                Attr("id", n.Id);
                Attr("uname", n.Name.Value);
                Attr("in_ccm", Bool(n.InMembership));
                Attr("crmd", n.ControllerOnline switch { null => null, true => "online", false => "offline" });
                Attr("join", n.Join);
                Attr("expected", n.Expected);
                if (!n.TransientAttributes.IsEmpty)
                {
                    w.WriteStartElement("transient_attributes");
                    Attr("id", n.Id);
                    w.WriteStartElement("instance_attributes");
                    Attr("id", $"status-{n.Id}");
                    foreach (var (name, value) in n.TransientAttributes)
                    {
                        w.WriteStartElement("nvpair");
                        Attr("id", $"status-{n.Id}-{name}");
                        Attr("name", name);
                        Attr("value", value);
                        w.WriteEndElement();
                    }

                    w.WriteEndElement();
                    w.WriteEndElement();
                }

                if (!n.Resources.IsEmpty)
                {
                    w.WriteStartElement("lrm");
                    Attr("id", n.Id);
                    w.WriteStartElement("lrm_resources");
                    foreach (var r in n.Resources)
                    {
                        WriteHistory(r);
                    }

                    w.WriteEndElement();
                    w.WriteEndElement();
                }

                w.WriteEndElement();
            }

            if (!status.Tickets.IsEmpty)
            {
                w.WriteStartElement("tickets");
                foreach (var t in status.Tickets)
                {
                    w.WriteStartElement("ticket_state");
                    Attr("id", t.Id);
                    Attr("granted", t.Granted ? "true" : "false");
                    if (t.Standby)
                    {
                        Attr("standby", "true");
                    }

                    Attr("last-granted", t.LastGranted is { } lg ? CibXml.Text(lg) : null);
                    w.WriteEndElement();
                }

                w.WriteEndElement();
            }

            w.WriteEndElement();
        }

        private void WriteHistory(ResourceHistory r)
        {
            w.WriteStartElement("lrm_resource");
            Attr("id", r.Id.Value);
            Attr("class", r.Class);
            Attr("provider", r.Provider);
            Attr("type", r.Type);
            Attr("container", r.Container);
            foreach (var op in r.Operations)
            {
                w.WriteStartElement("lrm_rsc_op");
                Attr("id", op.Id);
                Attr("operation_key", op.OperationKey);
                Attr("operation", op.Operation);
                Attr("call-id", CibXml.Text(op.CallId));
                Attr("rc-code", CibXml.Text(op.RcCode));
                Attr("op-status", CibXml.Text(op.ExecStatus));
                Attr("interval", CibXml.Text((long)op.Interval.TotalMilliseconds));
                Attr("transition-key", op.TransitionKey);
                if (op.TransitionKey is not null)
                {
                    Attr("transition-magic", string.Create(CultureInfo.InvariantCulture, $"{op.ExecStatus}:{op.RcCode};{op.TransitionKey}"));
                }
                else if (op.ExpectedRc is { } expected)
                {
                    // No key recorded: keep the expected result in a magic with a placeholder graph and node.
                    Attr("transition-magic", string.Create(CultureInfo.InvariantCulture, $"{op.ExecStatus}:{op.RcCode};0:0:{expected}:00000000-0000-0000-0000-000000000000"));
                }

                Attr("last-rc-change", op.LastRcChange is { } lrc ? CibXml.Text(lrc) : null);
                Attr("last-run", op.LastRun is { } lr ? CibXml.Text(lr) : null);
                Attr("exec-time", op.ExecTimeMs is { } et ? CibXml.Text(et) : null);
                Attr("exit-reason", op.ExitReason);
                Attr("op-digest", op.OpDigest);
                Attr("op-force-restart", op.ForceRestart);
                Attr("op-restart-digest", op.RestartDigest);
                Attr("on_node", op.OnNode);
                Attr("migrate_source", op.MigrateSource);
                Attr("migrate_target", op.MigrateTarget);
                w.WriteEndElement();
            }

            w.WriteEndElement();
        }
    }
}
