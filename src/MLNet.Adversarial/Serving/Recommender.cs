using System.Buffers;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Serving;

/// <summary>
/// The top-N items for a user, computed in C# from a trained <see cref="IRecommenderModel"/> and its training
/// positives: the same items, order and scores (to float rounding) as the exported <c>topk.onnx</c> — descending score,
/// ties by the lower item index, the user's training items left out with <see cref="ItemExclusion.Seen"/>, an unknown
/// user ranked with the model's fallback and nothing excluded — but never padded: when fewer than n items remain, fewer
/// are returned, and an excluded item is never returned.
/// </summary>
/// <remarks>
/// Raw ids in, raw ids out: user, candidate and excluded ids are the ids of the training data (an integer id may be
/// passed as text). Every method is safe to call from many threads at once: a call keeps its scores in buffers of its
/// own and only reads the model and the positives. <c>RecommenderTransformer.Recommender</c> is the instance of a
/// fitted pipeline.
/// </remarks>
public sealed class Recommender
{
    /// <summary>Wraps <paramref name="model"/>; <paramref name="trainingPositives"/> (on the model's vocabularies) are the items <see cref="ItemExclusion.Seen"/> leaves out.</summary>
    /// <exception cref="ArgumentException">The positives use other vocabularies than the model.</exception>
    public Recommender(IRecommenderModel model, InteractionData? trainingPositives)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (trainingPositives is not null && (!trainingPositives.Users.Equals(model.Users) || !trainingPositives.Items.Equals(model.Items)))
            throw new ArgumentException("The training positives must use the model's user and item vocabularies.", nameof(trainingPositives));
        Model = model;
        TrainingPositives = trainingPositives;
    }

    /// <summary>The model that scores the catalogue.</summary>
    public IRecommenderModel Model { get; }

    /// <summary>The training positives (null when not given: then only <see cref="ItemExclusion.None"/> and given ids work).</summary>
    public InteractionData? TrainingPositives { get; }

    /// <summary>The top <paramref name="n"/> items for raw user id <paramref name="userId"/>, best first.</summary>
    /// <param name="userId">Raw user id; one the model has not seen is ranked with the fallback (mean user) and has no seen items.</param>
    /// <param name="n">How many items at most (positive).</param>
    /// <param name="exclude">Items left out; default <see cref="ItemExclusion.Seen"/>.</param>
    /// <param name="candidates">When given, only these raw item ids are ranked (ids outside the catalogue are ignored).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">Seen items are to be left out but no training positives were given.</exception>
    public RecommendedItem[] Recommend(string userId, int n, ItemExclusion? exclude = null, IEnumerable<string>? candidates = null)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return Rank(Model.Users.IndexOf(userId), n, Plan(exclude, candidates?.Select(Model.Items.IndexOf)));
    }

    /// <inheritdoc cref="Recommend(string, int, ItemExclusion?, IEnumerable{string}?)"/>
    public RecommendedItem[] Recommend(long userId, int n, ItemExclusion? exclude = null, IEnumerable<long>? candidates = null) =>
        Rank(Model.Users.IndexOf(userId), n, Plan(exclude, candidates?.Select(Model.Items.IndexOf)));

    /// <summary>
    /// <see cref="Recommend(string, int, ItemExclusion?, IEnumerable{string}?)"/> for many users at once, in parallel;
    /// result r belongs to <c>userIds[r]</c>. The exclusion and the candidates apply to every user.
    /// </summary>
    public RecommendedItem[][] RecommendBatch(IReadOnlyList<string> userIds, int n, ItemExclusion? exclude = null, IEnumerable<string>? candidates = null)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        return RankAll(userIds.Count, r => Model.Users.IndexOf(userIds[r]), n, Plan(exclude, candidates?.Select(Model.Items.IndexOf)));
    }

    /// <inheritdoc cref="RecommendBatch(IReadOnlyList{string}, int, ItemExclusion?, IEnumerable{string}?)"/>
    public RecommendedItem[][] RecommendBatch(IReadOnlyList<long> userIds, int n, ItemExclusion? exclude = null, IEnumerable<long>? candidates = null)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        return RankAll(userIds.Count, r => Model.Users.IndexOf(userIds[r]), n, Plan(exclude, candidates?.Select(Model.Items.IndexOf)));
    }

    /// <summary>What one request leaves out and keeps, resolved to catalogue indices once for all its users.</summary>
    private sealed record RankingPlan(bool ExcludeSeen, int[] Given, bool[]? Allowed);

    private RankingPlan Plan(ItemExclusion? exclude, IEnumerable<int>? candidateIndices)
    {
        exclude ??= ItemExclusion.Seen;
        if (exclude.ExcludesSeen && TrainingPositives is null)
            throw new InvalidOperationException("Leaving out seen items needs the training positives: create the Recommender with them, or pass ItemExclusion.None.");
        bool[]? allowed = null;
        if (candidateIndices is not null)
        {
            allowed = new bool[Model.Items.Count];
            foreach (var i in KnownIndices(Model.Items, candidateIndices)) allowed[i] = true;
        }
        return new RankingPlan(exclude.ExcludesSeen, exclude.GivenIndices(Model.Items), allowed);
    }

    /// <summary>The indices that are in the catalogue (not -1).</summary>
    internal static int[] KnownIndices(IdVocabulary items, IEnumerable<int> indices) => [.. indices.Where(i => i >= 0 && i < items.Count)];

    private RecommendedItem[][] RankAll(int count, Func<int, int> userIndex, int n, RankingPlan plan)
    {
        CheckSize(n);
        var results = new RecommendedItem[count][];
        Parallel.For(0, count, r => results[r] = Rank(userIndex(r), n, plan));
        return results;
    }

    private RecommendedItem[] Rank(int user, int n, RankingPlan plan)
    {
        CheckSize(n);
        int items = Model.Items.Count;
        var scores = ArrayPool<float>.Shared.Rent(items);
        var blocked = ArrayPool<bool>.Shared.Rent(items);
        try
        {
            Model.ScoreAllItems(user, scores.AsSpan(0, items));
            var shut = blocked.AsSpan(0, items);
            if (plan.Allowed is { } allowed) for (int i = 0; i < items; i++) shut[i] = !allowed[i];
            else shut.Clear();
            if (plan.ExcludeSeen && user >= 0) foreach (var i in TrainingPositives!.ItemsOf(user)) shut[i] = true;
            foreach (var i in plan.Given) shut[i] = true;
            var top = TopItems.Select(scores.AsSpan(0, items), shut, n);
            var result = new RecommendedItem[top.Length];
            for (int r = 0; r < top.Length; r++) result[r] = new RecommendedItem(Model.Items.GetIdText(top[r]), top[r], scores[top[r]]);
            return result;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
            ArrayPool<bool>.Shared.Return(blocked);
        }
    }

    private static void CheckSize(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"n must be positive, got {n}.");
    }
}
