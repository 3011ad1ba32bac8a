namespace MLNet.Adversarial.Tuning;

/// <summary>What the tuner reports after each trial.</summary>
/// <param name="Trial">The finished (or resumed) trial.</param>
/// <param name="Best">The best trial so far.</param>
/// <param name="MaxTrials">The trial limit, if any.</param>
/// <param name="TimeLeft">The time left of the budget, if any.</param>
/// <param name="Resumed">Whether the trial was read from trials.json rather than run.</param>
public sealed record TuningProgress(TuningTrial Trial, TuningTrial Best, int? MaxTrials, TimeSpan? TimeLeft, bool Resumed)
{
    /// <summary>One line: trial i/n, what it was, its score, the best so far and the time left.</summary>
    public override string ToString()
    {
        string what = Trial.IsDefaults ? "defaults" : FormattableString.Invariant($"c{Trial.Configuration} b{Trial.Bracket} r{Trial.Rung}");
        string notes = (Resumed ? ", resumed" : "") + (Trial.Error is null ? "" : ", failed: " + Trial.Error);
        string left = TimeLeft is { } t ? FormattableString.Invariant($" | {Math.Max(0, t.TotalMinutes):F1} min left") : "";
        return FormattableString.Invariant(
            $"trial {Trial.Number}{(MaxTrials is { } n ? $"/{n}" : "")} {Trial.Trainer} {what} {Trial.Epochs} epochs: NDCG@10 {Trial.ValidationNdcg:F4} (epoch {Trial.SelectedEpoch}/{Trial.EpochsRun}, {Trial.Seconds:F1}s{notes}) | best {Best.ValidationNdcg:F4} ({Best.Key} {Best.Trainer}){left}");
    }
}
