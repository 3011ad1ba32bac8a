using MLNet.Adversarial.Models;
using MLNet.Adversarial.Text;

namespace MLNet.Adversarial.Evaluation;

/// <summary>
/// Ranks a <see cref="ColdStartSplit"/>: cold metrics rank the held-out items only, for every user with a positive
/// on one of them (nothing is excluded: no user trained on a cold item); warm metrics rank the warm catalogue minus
/// each user's training positives against their held-out warm positives, as <see cref="RankingEvaluator"/> always does.
/// A hybrid model meets the cold items as new text-only items (<see cref="HybridFactorizationModel.WithNewItems(IReadOnlyList{string}, IReadOnlyList{float[]})"/>).
/// </summary>
public sealed class ColdStartEvaluator
{
    private readonly ColdStartSplit _split;
    private readonly RankingEvaluator _ranking;

    /// <summary>Evaluates on <paramref name="split"/> with the cut-offs and settings of <paramref name="ranking"/>.</summary>
    public ColdStartEvaluator(ColdStartSplit split, RankingEvaluator.Options? ranking = null)
    {
        _split = split ?? throw new ArgumentNullException(nameof(split));
        _ranking = new RankingEvaluator(ranking);
    }

    /// <summary>Metrics of <paramref name="scorer"/>, which scores the cold catalogue (<see cref="ColdStartSplit.ColdItems"/>).</summary>
    public RankingMetrics EvaluateCold(IItemScorer scorer) => _ranking.Evaluate(scorer, _split.ColdExcluded, _split.ColdTest);

    /// <summary>Metrics of <paramref name="scorer"/>, which scores the warm catalogue (<see cref="ColdStartSplit.Train"/>'s items).</summary>
    public RankingMetrics EvaluateWarm(IItemScorer scorer) => _ranking.Evaluate(scorer, _split.Train, _split.WarmTest);

    /// <summary>Cold and warm metrics of a hybrid model trained on <see cref="ColdStartSplit.Train"/>.</summary>
    public ColdStartResult Evaluate(HybridFactorizationModel model, TextFeatures itemText)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new ColdStartResult(EvaluateCold(ColdScorer(model, itemText)),
            EvaluateWarm(new FactorizationModelScorer(model.Effective, _split.Users, _split.Train.Items)));
    }

    /// <summary>
    /// Scores the cold catalogue with <paramref name="model"/> extended by the cold items' text embeddings from
    /// <paramref name="itemText"/>, without retraining; a cold item without text gets the model's fallback (mean) vector.
    /// </summary>
    public IItemScorer ColdScorer(HybridFactorizationModel model, TextFeatures itemText)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(itemText);
        var cold = _split.ColdItems;
        var ids = new List<string>();
        var embeddings = new List<float[]>();
        for (int i = 0; i < cold.Count; i++)
        {
            string id = cold.GetIdText(i);
            var e = itemText.Find(id);
            if (e.IsEmpty || model.Items.IndexOf(id) >= 0) continue;
            ids.Add(id);
            embeddings.Add(e.ToArray());
        }
        var extended = model.WithNewItems(ids, embeddings);
        return new FactorizationModelScorer(extended.Effective, _split.Users, cold);
    }
}
