using System.Globalization;
using System.Text;

namespace MLNet.Adversarial.Tuning;

/// <summary>Every trial as a Markdown table (trials.md) or tab-separated values (trials.tsv).</summary>
public static class TrialTable
{
    private static readonly string[] Header = ["#", "key", "trainer", "bracket", "rung", "epochs", "validation NDCG@10", "selected epoch", "epochs run", "seconds", "parameters"];

    /// <summary>The Markdown table, the best trial's row in bold.</summary>
    public static string Markdown(IReadOnlyList<TuningTrial> trials)
    {
        var best = Best(trials);
        var text = new StringBuilder();
        text.AppendLine("| " + string.Join(" | ", Header) + " |");
        text.AppendLine("|" + string.Concat(Header.Select(_ => "---|")));
        foreach (var t in trials)
        {
            var cells = Cells(t);
            if (ReferenceEquals(t, best)) cells[1] = $"**{cells[1]}**";
            text.AppendLine("| " + string.Join(" | ", cells) + " |");
        }
        return text.ToString();
    }

    /// <summary>The table as tab-separated values with a header line.</summary>
    public static string Tsv(IReadOnlyList<TuningTrial> trials)
    {
        var text = new StringBuilder();
        text.AppendLine(string.Join('\t', Header));
        foreach (var t in trials) text.AppendLine(string.Join('\t', Cells(t)));
        return text.ToString();
    }

    /// <summary>The trial with the highest validation NDCG (the earliest of equals), or null for none.</summary>
    public static TuningTrial? Best(IEnumerable<TuningTrial> trials) =>
        trials.Aggregate((TuningTrial?)null, (best, t) => best is null || t.ValidationNdcg > best.ValidationNdcg ? t : best);

    private static string[] Cells(TuningTrial t) =>
    [
        I(t.Number), t.Key, t.Trainer, I(t.Bracket), I(t.Rung), I(t.Epochs), t.ValidationNdcg.ToString("F4", CultureInfo.InvariantCulture),
        I(t.SelectedEpoch), I(t.EpochsRun), t.Seconds.ToString("F1", CultureInfo.InvariantCulture),
        t.Error is not null ? "failed: " + t.Error : t.IsDefaults ? "(defaults)" : string.Join(" ", t.Parameters.Select(p => $"{p.Key}={p.Value}")),
    ];

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
