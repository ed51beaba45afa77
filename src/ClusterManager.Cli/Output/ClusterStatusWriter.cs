using System.Text;
using ClusterManager.Model;
using ClusterManager.Policy;

namespace ClusterManager.Cli.Output;

/// <summary>
/// Writes a <see cref="ClusterView"/> in the text layout of Pacemaker 2.1.5's <c>crm_simulate -S</c>
/// ("Current cluster status:" / "Revised Cluster Status:" sections: node list, then the full list of resources),
/// mirroring lib/pengine/pe_output.c (node-list), native.c (<c>pcmk__native_output_string</c>), group.c and
/// clone.c (<c>pe__clone_default</c>).
/// </summary>
public static class ClusterStatusWriter
{
    /// <summary>Writes one status section titled <paramref name="title"/> (without the trailing colon).</summary>
    public static void Write(TextWriter writer, string title, ClusterView view, StatusWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(view);
        options ??= StatusWriteOptions.Default;
        writer.Write(title);
        writer.Write(":\n");
        var printedNodes = WriteNodeList(writer, view);
        if (printedNodes)
        {
            writer.Write('\n');
        }

        Item(writer, 1, "Full List of Resources:");
        WriteResources(writer, 2, view, options);
    }

    /// <summary>
    /// Writes the resource list at <paramref name="depth"/> (crm_mon's "Full List of Resources" items; "No resources"
    /// when there is none to show).
    /// </summary>
    public static void WriteResources(TextWriter writer, int depth, ClusterView view, StatusWriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(options);
        var any = false;
        foreach (var resource in view.Resources.OrderByDescending(r => options.Priorities.GetValueOrDefault(r.Id)))
        {
            any |= WriteResource(writer, depth, resource, view, options, clone: null);
        }

        if (!any)
        {
            Item(writer, depth, "No resources");
        }
    }

    private static bool WriteNodeList(TextWriter writer, ClusterView view)
    {
        if (view.Nodes.IsEmpty)
        {
            return false;
        }

        Item(writer, 1, "Node List:");
        var online = new List<string>();
        var offline = new List<string>();
        foreach (var node in view.Nodes.OrderBy(n => n.Name.Value, NodeNameOrder.Instance))
        {
            var pending = node.Condition == NodeCondition.Pending;
            string mode;
            if (node.Unclean)
            {
                mode = node.Online ? "UNCLEAN (online)" : pending ? "UNCLEAN (pending)" : "UNCLEAN (offline)";
            }
            else if (pending)
            {
                mode = "pending";
            }
            else if (node.Standby)
            {
                mode = node.Online
                    ? node.HasActiveResources ? "standby (with active resources)" : "standby"
                    : "OFFLINE (standby)";
            }
            else if (node.Maintenance)
            {
                mode = node.Online ? "maintenance" : "OFFLINE (maintenance)";
            }
            else
            {
                (node.Online ? online : offline).Add(node.Name.Value);
                continue;
            }

            Item(writer, 2, $"Node {node.Name}: {mode}");
        }

        if (online.Count > 0)
        {
            Item(writer, 2, $"Online: [ {string.Join(' ', online)} ]");
        }

        if (offline.Count > 0)
        {
            Item(writer, 2, $"OFFLINE: [ {string.Join(' ', offline)} ]");
        }

        return true;
    }

    private static bool WriteResource(
        TextWriter writer, int depth, ResourceView resource, ClusterView view, StatusWriteOptions options, CloneView? clone)
    {
        switch (resource)
        {
            case PrimitiveView p:
                // Inactive orphans (deleted from the configuration, still in the status) are not listed.
                if (clone is null && p.Orphaned && p.Nodes.IsEmpty)
                {
                    return false;
                }

                Item(writer, depth, PrimitiveLine(p, view, options, clone));
                return true;
            case GroupView g:
                WriteGroup(writer, depth, g, view, options, clone);
                return true;
            case CloneView c:
                WriteClone(writer, depth, c, view, options);
                return true;
            default:
                return false;
        }
    }

    private static void WriteGroup(
        TextWriter writer, int depth, GroupView group, ClusterView view, StatusWriteOptions options, CloneView? clone)
    {
        var attrs = new List<string>(2);
        if (!group.Managed)
        {
            attrs.Add("unmanaged");
        }

        if (group.Disabled)
        {
            attrs.Add("disabled");
        }

        Item(writer, depth, attrs.Count == 0
            ? $"Resource Group: {group.Id}:"
            : $"Resource Group: {group.Id} ({string.Join(", ", attrs)}):");
        foreach (var member in group.Members)
        {
            Item(writer, depth + 1, PrimitiveLine(member, view, options, clone));
        }
    }

    private static void WriteClone(TextWriter writer, int depth, CloneView clone, ClusterView view, StatusWriteOptions options)
    {
        var headerPrinted = false;
        void Header()
        {
            if (headerPrinted)
            {
                return;
            }

            headerPrinted = true;
            var attrs = new List<string>(3);
            if (clone.Promotable)
            {
                attrs.Add("promotable");
            }

            if (clone.Unique)
            {
                attrs.Add("unique");
            }

            if (clone.Disabled)
            {
                attrs.Add("disabled");
            }

            if (!clone.Managed)
            {
                attrs.Add("unmanaged");
            }

            var child = ResourceDisplay.ChildId(clone);
            Item(writer, depth, attrs.Count == 0
                ? $"Clone Set: {clone.Id} [{child}]:"
                : $"Clone Set: {clone.Id} [{child}] ({string.Join(", ", attrs)}):");
        }

        var layout = ResourceDisplay.LayoutClone(clone, view, options.ShowPending);
        var stopped = new SortedDictionary<string, string>(StringComparer.Ordinal); // key -> status
        var promoted = new List<string>();
        var started = new List<string>();
        foreach (var item in layout)
        {
            switch (item.Display)
            {
                case InstanceDisplay.Full:
                    Header();
                    WriteResource(writer, depth + 1, item.Instance, view, options, clone);
                    break;
                case InstanceDisplay.PromotedList:
                    promoted.Add(item.Location!.Value.Value);
                    break;
                case InstanceDisplay.StartedList:
                    started.Add(item.Location!.Value.Value);
                    break;
                case InstanceDisplay.Stopped:
                    stopped[item.Instance.Id.Value] = "Stopped";
                    break;
                default:
                    break;
            }
        }

        var activeInstances = 0;
        if (promoted.Count > 0)
        {
            promoted.Sort(NodeNameOrder.Instance);
            activeInstances += promoted.Count;
            Header();
            Item(writer, depth + 1, $"Promoted: [ {string.Join(' ', promoted)} ]");
        }

        if (started.Count > 0)
        {
            started.Sort(NodeNameOrder.Instance);
            activeInstances += started.Count;
            Header();
            var configured = ResourceDisplay.ConfiguredRole(clone);
            var label = !clone.Promotable ? "Started"
                : configured == ResourceRole.Unpromoted ? "Unpromoted (target-role)"
                : "Unpromoted";
            Item(writer, depth + 1, $"{label}: [ {string.Join(' ', started)} ]");
        }

        var cloneMax = layout.Count(i => !ResourceDisplay.Members(i.Instance).Any(m => m.Orphaned));
        if (!clone.Unique && cloneMax > activeInstances)
        {
            stopped.Clear();
            var running = clone.Instances.SelectMany(i => ResourceDisplay.Members(i).AsEnumerable()).SelectMany(m => m.Nodes).ToHashSet();
            var candidates = options.SymmetricCluster
                ? view.Nodes.Select(n => n.Name)
                : options.KnownOn.GetValueOrDefault(clone.Id, []);
            var state = ResourceDisplay.ConfiguredRole(clone) == ResourceRole.Stopped ? "Stopped (disabled)" : "Stopped";
            foreach (var node in candidates.Where(n => !running.Contains(n)))
            {
                stopped[node.Value] = state;
            }
        }

        if (stopped.Count > 0)
        {
            Header();
            foreach (var status in stopped.Values.Distinct().Order(StringComparer.Ordinal))
            {
                var nodes = stopped.Where(kv => kv.Value == status).Select(kv => kv.Key).Order(NodeNameOrder.Instance);
                Item(writer, depth + 1, $"{status}: [ {string.Join(' ', nodes)} ]");
            }
        }
        else if (activeInstances == 0)
        {
            Header();
        }
    }

    /// <summary>
    /// One primitive's line: <c>ID\t(class:provider:type):\t [ORPHANED] [FAILED [Promoted]|STATE] [NODE] [(flags)] [ [ nodes ]]</c>.
    /// </summary>
    public static string PrimitiveLine(PrimitiveView p, ClusterView view, StatusWriteOptions options, CloneView? clone)
    {
        var promotable = clone?.Promotable ?? false;
        var anonymous = clone is { Unique: false };
        var multiple = p.Nodes.Length > 1;
        NodeName? node = multiple || p.Nodes.IsEmpty ? null : p.Nodes[0];
        var s = new StringBuilder(128);
        s.Append(ResourceDisplay.PrintableId(p, anonymous)).Append("\t(").Append(p.Agent).Append("):\t");
        if (p.Orphaned)
        {
            s.Append(" ORPHANED");
        }

        var role = ResourceDisplay.DisplayRole(p, promotable);
        if (p.Failed)
        {
            s.Append(" FAILED");
            if (role > ResourceRole.Unpromoted)
            {
                s.Append(' ').Append(ResourceDisplay.RoleText(role));
            }
        }
        else
        {
            var pending = options.ShowPending ? ResourceDisplay.PendingState(p.PendingTask) : null;
            s.Append(' ').Append(pending ?? ResourceDisplay.RoleText(role));
        }

        if (node is { } shown)
        {
            s.Append(' ').Append(shown.Value);
        }

        var flags = new List<string>(4);
        if (node is { } at && view.Nodes.FirstOrDefault(n => n.Name == at) is { Online: false, Unclean: true })
        {
            flags.Add("UNCLEAN");
        }

        ResourceDisplay.AddStateFlags(flags, p, options, promotable);

        if (flags.Count > 0)
        {
            s.Append(" (").Append(string.Join(", ", flags)).Append(')');
        }

        if (multiple)
        {
            s.Append(" [ ").Append(string.Join(' ', p.Nodes.Select(n => n.Value))).Append(" ]");
        }

        return s.ToString();
    }

    /// <summary>
    /// The counts <c>crm_simulate</c> prints before the status when something is disabled or blocked:
    /// (instances, disabled, blocked), counting every primitive and clone instance except stopped orphans.
    /// </summary>
    public static (int Instances, int Disabled, int Blocked) CountInstances(ClusterView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        int instances = 0, disabled = 0, blocked = 0;
        foreach (var resource in view.Resources)
        {
            var promotable = resource is CloneView { Promotable: true };
            foreach (var p in ResourceDisplay.Members(resource))
            {
                if (p.Orphaned && p.Role <= ResourceRole.Stopped)
                {
                    continue;
                }

                instances++;
                if (ResourceDisplay.IsDisabled(p, promotable))
                {
                    disabled++;
                }

                if (p.Blocked)
                {
                    blocked++;
                }
            }
        }

        return (instances, disabled, blocked);
    }

    private static void Item(TextWriter writer, int depth, string text)
    {
        writer.Write(new string(' ', depth * 2));
        writer.Write("* ");
        writer.Write(text);
        writer.Write('\n');
    }
}
