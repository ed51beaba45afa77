using System.Globalization;
using ClusterManager.Policy;

namespace ClusterManager.Benchmarks.Scheduler;

/// <summary>
/// <c>--dump DIR</c>: writes everything a transition holds (actions with their inputs and details, changes,
/// placements, scores, both views, warnings) as plain text, one item a line, so that two builds of the engine can be
/// compared with <c>diff -r</c>. The format is for diffing, not for reading back.
/// </summary>
public static class TransitionDump
{
    /// <summary>Writes <paramref name="transition"/> to <paramref name="path"/>.</summary>
    public static void Write(Transition transition, string path)
    {
        using var writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false), bufferSize: 1 << 16);
        writer.Write($"version {transition.SnapshotVersion}\n");
        foreach (var warning in transition.Warnings)
        {
            writer.Write($"warning {warning}\n");
        }

        foreach (var a in transition.Actions)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"action {a.Id} {a.Kind} {a.Key} rsc={a.Resource} node={a.Node} interval={a.Interval.TotalMilliseconds} "
                + $"runnable={a.Runnable} fence={a.FenceAction} reason={a.Reason} inputs=[{string.Join(',', a.Inputs)}]\n"));
            if (a.Detail is { } d)
            {
                writer.Write(string.Create(CultureInfo.InvariantCulture,
                    $"  detail {d.Agent} history={d.HistoryId} timeout={d.Timeout.TotalMilliseconds} rc={d.ExpectedRc} digest={d.Digest}\n"));
                writer.Write($"  params {string.Join(' ', d.Parameters.Select(p => p.Key + "=" + p.Value))}\n");
                writer.Write($"  meta {string.Join(' ', d.Meta.Select(p => p.Key + "=" + p.Value))}\n");
            }
        }

        foreach (var c in transition.Changes)
        {
            writer.Write($"change {c.Kind} {c.Subject} {c.From}->{c.To} {c.FromRole}->{c.ToRole} blocked={c.Blocked} reason={c.Reason}\n");
        }

        foreach (var p in transition.Placements)
        {
            writer.Write($"placement {p.Resource} {p.Role} {p.Node} {p.Reason}\n");
        }

        foreach (var s in transition.Scores)
        {
            writer.Write($"score {s.Function} {s.Resource} {s.Node} {s.Score} promotion={s.Promotion}\n");
        }

        WriteView(writer, "current", transition.Current);
        WriteView(writer, "projected", transition.Projected);
    }

    private static void WriteView(StreamWriter writer, string name, ClusterView view)
    {
        foreach (var n in view.Nodes)
        {
            writer.Write($"{name} node {n}\n");
        }

        foreach (var r in view.Resources)
        {
            WriteResource(writer, name, r, "");
        }
    }

    private static void WriteResource(StreamWriter writer, string name, ResourceView resource, string indent)
    {
        switch (resource)
        {
            case PrimitiveView p:
                writer.Write($"{name} {indent}primitive {p with { Nodes = [] }} nodes=[{string.Join(',', p.Nodes)}]\n");
                break;
            case GroupView g:
                writer.Write($"{name} {indent}group {g.Id} managed={g.Managed} disabled={g.Disabled}\n");
                foreach (var m in g.Members)
                {
                    WriteResource(writer, name, m, indent + "  ");
                }

                break;
            case CloneView c:
                writer.Write($"{name} {indent}clone {c.Id} unique={c.Unique} promotable={c.Promotable} managed={c.Managed} disabled={c.Disabled}\n");
                foreach (var i in c.Instances)
                {
                    WriteResource(writer, name, i, indent + "  ");
                }

                break;
            default:
                writer.Write($"{name} {indent}{resource}\n");
                break;
        }
    }
}
