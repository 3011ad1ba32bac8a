using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Fold-in: vectors for users (or items) a trained factorisation model has never seen, from their interactions, with
/// the other side fixed and without retraining. Each new row minimises the training objective over its own pairs —
/// the BPR loss of <see cref="BprObjective"/>, λ‖row‖² per pair and, with <see cref="FoldInOptions.AdversarialWeight"/>,
/// APR's adversarial term under the worst-case perturbation ε·g/‖g‖ — by full-batch Adam; the negatives are drawn
/// once from a seeded generator, so the same input and options give the same model.
/// </summary>
public static class FoldIn
{
    /// <summary>Pairs per Adam problem: users (or items) are solved together in chunks of about this many pairs.</summary>
    private const int ChunkPairs = 65_536;

    /// <summary>
    /// The model with the users of <paramref name="interactions"/> added (the vocabulary is the union, so rows are
    /// reordered by id); their vectors are solved from their positives with every item fixed. Items the model does not
    /// know are ignored; a user without a known item gets the model's fallback (mean) vector.
    /// </summary>
    /// <exception cref="ArgumentException">A user of <paramref name="interactions"/> is already in the model, or the id kinds differ.</exception>
    public static FactorizationModel FoldInUsers(this FactorizationModel model, InteractionData interactions, FoldInOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(interactions);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckNew(model.Users, interactions.Users, "user");
        var positives = new int[interactions.Users.Count][];
        for (int u = 0; u < positives.Length; u++)
            positives[u] = KnownIndices(model.Items, interactions.Items, interactions.ItemsOf(u));
        var vectors = TorchTraining.Run(1, () => SolveUsers(model, positives, options));
        var users = IdVocabulary.Union(model.Users, interactions.Users);
        var factors = new float[users.Count * model.Dimension];
        for (int u = 0; u < users.Count; u++)
        {
            int old = model.Users.IndexOf(users, u);
            var source = old >= 0 ? model.UserVector(old) : vectors.AsSpan(interactions.Users.IndexOf(users, u) * model.Dimension, model.Dimension);
            source.CopyTo(factors.AsSpan(u * model.Dimension, model.Dimension));
        }
        return new FactorizationModel(users, model.Items, model.Dimension, factors, model.ItemFactors, model.ItemBias);
    }

    /// <summary>
    /// The model with the items of <paramref name="interactions"/> added (rows reordered by id); their vectors and biases
    /// are solved with every user fixed: each new item should outrank the user's other items for the users who chose it
    /// and, when <paramref name="knownPositives"/> (the positives the model was trained on, over its vocabularies) is
    /// given, be outranked by other users' positives as often as a sampled negative is in training. Users the model
    /// does not know are ignored; an item without a known user gets the fallback (mean) vector and bias.
    /// </summary>
    /// <exception cref="ArgumentException">An item of <paramref name="interactions"/> is already in the model, or the vocabularies do not fit.</exception>
    public static FactorizationModel FoldInItems(this FactorizationModel model, InteractionData interactions, InteractionData? knownPositives, FoldInOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(interactions);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckNew(model.Items, interactions.Items, "item");
        if (knownPositives is not null && (!knownPositives.Users.Equals(model.Users) || !knownPositives.Items.Equals(model.Items)))
            throw new ArgumentException("knownPositives must use the model's user and item vocabularies.", nameof(knownPositives));
        var byItem = interactions.Transposed();
        var usersOf = new int[byItem.Users.Count][];
        for (int i = 0; i < usersOf.Length; i++) usersOf[i] = KnownIndices(model.Users, byItem.Items, byItem.ItemsOf(i));
        var (vectors, biases) = TorchTraining.Run(1, () => SolveItems(model, usersOf, knownPositives, options));
        var items = IdVocabulary.Union(model.Items, interactions.Items);
        int d = model.Dimension;
        var factors = new float[items.Count * d];
        var bias = new float[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            int old = model.Items.IndexOf(items, i);
            int added = old >= 0 ? -1 : interactions.Items.IndexOf(items, i);
            (old >= 0 ? model.ItemVector(old) : vectors.AsSpan(added * d, d)).CopyTo(factors.AsSpan(i * d, d));
            bias[i] = old >= 0 ? model.ItemBias[old] : biases[added];
        }
        return new FactorizationModel(model.Users, items, d, model.UserFactors, factors, bias);
    }

    private static void CheckNew(IdVocabulary known, IdVocabulary added, string side)
    {
        if (known.Kind != added.Kind)
            throw new ArgumentException($"The model's {side} ids are {known.Kind}, the new ones {added.Kind}.");
        for (int k = 0; k < added.Count; k++)
            if (known.IndexOf(added, k) >= 0)
                throw new ArgumentException($"The {side} '{added.GetIdText(k)}' is already in the model: fold in only {side}s it has never seen.");
    }

    /// <summary>The indices in <paramref name="target"/> of the ids <paramref name="indices"/> of <paramref name="source"/>, unknown ones left out, ascending.</summary>
    private static int[] KnownIndices(IdVocabulary target, IdVocabulary source, ReadOnlySpan<int> indices)
    {
        var result = new List<int>(indices.Length);
        foreach (var index in indices)
            if (target.IndexOf(source, index) is var mapped and >= 0) result.Add(mapped);
        result.Sort();
        return [.. result];
    }

    /// <summary>Draws <paramref name="count"/> items outside <paramref name="excluded"/> (sorted) uniformly, or all of them when there are fewer.</summary>
    private static IEnumerable<int> Negatives(Random rng, int catalogue, int[] excluded, int count, Func<int, bool>? alsoExcluded = null)
    {
        int available = catalogue - excluded.Length;
        if (available <= 0) yield break;
        if (available <= count)
        {
            for (int j = 0; j < catalogue; j++)
                if (Array.BinarySearch(excluded, j) < 0 && alsoExcluded?.Invoke(j) != true) yield return j;
            yield break;
        }
        for (int drawn = 0; drawn < count;)
        {
            int j = rng.Next(catalogue);
            if (Array.BinarySearch(excluded, j) >= 0 || alsoExcluded?.Invoke(j) == true) continue;
            drawn++;
            yield return j;
        }
    }

    /// <summary>One user's pairs: each positive against its drawn negatives.</summary>
    private static List<(int Row, long User, long Positive, long Negative)> UserPairs(int row, int[] positives, int catalogue, FoldInOptions o)
    {
        var rng = new Random(HashCode.Combine(o.Seed, row, positives.Length));
        var pairs = new List<(int, long, long, long)>();
        foreach (int i in positives)
            foreach (int j in Negatives(rng, catalogue, positives, o.NegativesPerPositive))
                pairs.Add((row, row, i, j));
        return pairs;
    }

    private static float[] SolveUsers(FactorizationModel model, int[][] positives, FoldInOptions o)
    {
        int d = model.Dimension;
        var result = new float[positives.Length * d];
        for (int u = 0; u < positives.Length; u++) model.FallbackUserFactor.CopyTo(result.AsSpan(u * d, d));
        using var scope = torch.NewDisposeScope();
        var itemTable = torch.tensor(model.ItemFactors, [model.Items.Count, d]);
        var biasTable = torch.tensor(model.ItemBias);
        foreach (var chunk in Chunks(positives.Length, u => UserPairs(u, positives[u], model.Items.Count, o)))
        {
            using var chunkScope = torch.NewDisposeScope();
            var rows = chunk.Select(p => p.Row).Distinct().ToArray();
            var local = rows.Select((r, k) => (r, k)).ToDictionary(e => e.r, e => (long)e.k);
            var start = new float[rows.Length * d];
            for (int k = 0; k < rows.Length; k++) model.FallbackUserFactor.CopyTo(start.AsSpan(k * d, d));
            var users = new TorchSharp.Modules.Parameter(torch.tensor(start, [rows.Length, d]));
            var pairUser = torch.tensor(chunk.Select(p => local[p.Row]).ToArray());
            var qi = itemTable.index_select(0, torch.tensor(chunk.Select(p => p.Positive).ToArray()));
            var qj = itemTable.index_select(0, torch.tensor(chunk.Select(p => p.Negative).ToArray()));
            var biasDiff = biasTable.index_select(0, torch.tensor(chunk.Select(p => p.Positive).ToArray()))
                .sub(biasTable.index_select(0, torch.tensor(chunk.Select(p => p.Negative).ToArray())));
            Minimise([users], o, () =>
            {
                var pu = users.index_select(0, pairUser);
                return Objective(pu, qi.detach().requires_grad_(), qj.detach().requires_grad_(), biasDiff, o).add(pu.pow(2).sum().mul(o.L2Regularization / chunk.Count));
            });
            var solved = users.detach().data<float>().ToArray();
            for (int k = 0; k < rows.Length; k++) solved.AsSpan(k * d, d).CopyTo(result.AsSpan(rows[k] * d, d));
        }
        return result;
    }

    private static (float[] Vectors, float[] Biases) SolveItems(FactorizationModel model, int[][] usersOf, InteractionData? known, FoldInOptions o)
    {
        int d = model.Dimension, oldItems = model.Items.Count;
        var vectors = new float[usersOf.Length * d];
        var biases = new float[usersOf.Length];
        for (int i = 0; i < usersOf.Length; i++)
        {
            model.FallbackItemFactor.CopyTo(vectors.AsSpan(i * d, d));
            biases[i] = o.UseItemBias ? model.FallbackItemBias : 0f;
        }
        var knownUsers = known?.UserIndicesExpanded();
        // Training draws each pair's negative uniformly: an item is some user's sampled negative P/|I| times for each time it is a positive of its own user, on average.
        double negativeShare = known is null ? 0 : (double)known.Count / oldItems;
        using var scope = torch.NewDisposeScope();
        var userTable = torch.tensor(model.UserFactors, [model.Users.Count, d]);
        var itemTable = torch.tensor(model.ItemFactors, [oldItems, d]); // the fixed side: built once, not per chunk
        var biasTable = torch.tensor(model.ItemBias);
        foreach (var chunk in Chunks(usersOf.Length, i => ItemPairs(i, usersOf[i], known, knownUsers, negativeShare, oldItems, o)))
        {
            using var chunkScope = torch.NewDisposeScope();
            var rows = chunk.Select(p => p.Row).Distinct().ToArray();
            var local = rows.Select((r, k) => (r, k)).ToDictionary(e => e.r, e => (long)(oldItems + e.k));
            long Index(long item) => item < 0 ? local[(int)(-item - 1)] : item;
            var startVectors = new float[rows.Length * d];
            for (int k = 0; k < rows.Length; k++) model.FallbackItemFactor.CopyTo(startVectors.AsSpan(k * d, d));
            var added = new TorchSharp.Modules.Parameter(torch.tensor(startVectors, [rows.Length, d]));
            var addedBias = new TorchSharp.Modules.Parameter(torch.full(rows.Length, o.UseItemBias ? model.FallbackItemBias : 0f), requires_grad: o.UseItemBias);
            var positive = torch.tensor(chunk.Select(p => Index(p.Positive)).ToArray());
            var negative = torch.tensor(chunk.Select(p => Index(p.Negative)).ToArray());
            var pairNew = torch.tensor(chunk.Select(p => local[p.Row] - oldItems).ToArray());
            var pu = userTable.index_select(0, torch.tensor(chunk.Select(p => p.User).ToArray()));
            Minimise(o.UseItemBias ? [added, addedBias] : [added], o, () =>
            {
                var table = torch.cat([itemTable, added], 0);
                var bias = torch.cat([biasTable, addedBias], 0);
                var biasDiff = bias.index_select(0, positive).sub(bias.index_select(0, negative));
                var l2 = added.index_select(0, pairNew).pow(2).sum();
                if (o.UseItemBias) l2 = l2.add(addedBias.index_select(0, pairNew).pow(2).sum());
                return Objective(pu.detach().requires_grad_(), table.index_select(0, positive), table.index_select(0, negative), biasDiff, o)
                    .add(l2.mul(o.L2Regularization / chunk.Count));
            });
            var solved = added.detach().data<float>().ToArray();
            var solvedBias = addedBias.detach().data<float>().ToArray();
            for (int k = 0; k < rows.Length; k++)
            {
                solved.AsSpan(k * d, d).CopyTo(vectors.AsSpan(rows[k] * d, d));
                biases[rows[k]] = solvedBias[k];
            }
        }
        return (vectors, biases);
    }

    /// <summary>
    /// One new item's pairs (the new item is written -(row + 1)): against drawn negatives for each of its users, and,
    /// with known positives, as the drawn negative of other users' positives in training's proportion.
    /// </summary>
    private static List<(int Row, long User, long Positive, long Negative)> ItemPairs(int row, int[] users, InteractionData? known, int[]? knownUsers,
        double negativeShare, int catalogue, FoldInOptions o)
    {
        var rng = new Random(HashCode.Combine(o.Seed, row, users.Length));
        long self = -(row + 1);
        var pairs = new List<(int, long, long, long)>();
        foreach (int u in users)
        {
            int[] seen = known is null ? [] : known.ItemsOf(u).ToArray();
            foreach (int j in Negatives(rng, catalogue, seen, o.NegativesPerPositive))
                pairs.Add((row, u, self, j));
        }
        if (known is null || users.Length == 0 || known.Count == 0) return pairs;
        int asNegative = (int)Math.Round(negativeShare * o.NegativesPerPositive);
        for (int k = 0; k < asNegative; k++)
        {
            int pair = rng.Next(known.Count);
            int u = knownUsers![pair];
            if (Array.BinarySearch(users, u) >= 0) continue; // the item is one of this user's positives
            pairs.Add((row, u, known.ItemIndices[pair], self));
        }
        return pairs;
    }

    /// <summary>Groups the rows' pairs into problems of about <see cref="ChunkPairs"/> pairs (rows without pairs keep their start vector).</summary>
    private static IEnumerable<List<(int Row, long User, long Positive, long Negative)>> Chunks(int rows, Func<int, List<(int Row, long User, long Positive, long Negative)>> pairsOf)
    {
        var chunk = new List<(int, long, long, long)>();
        for (int r = 0; r < rows; r++)
        {
            chunk.AddRange(pairsOf(r));
            if (chunk.Count >= ChunkPairs)
            {
                yield return chunk;
                chunk = [];
            }
        }
        if (chunk.Count > 0) yield return chunk;
    }

    /// <summary>The BPR loss of the pairs, plus APR's adversarial term when it is on (the loss of training's adversarial phase).</summary>
    private static Tensor Objective(Tensor pu, Tensor qi, Tensor qj, Tensor biasDiff, FoldInOptions o)
    {
        var clean = BprObjective.Loss(pu, qi, qj, biasDiff);
        if (o.AdversarialWeight <= 0) return clean;
        using var epsilon = o.Epsilon.ToScalar();
        return clean.add(BprObjective.AdversarialLoss(clean, pu, qi, qj, biasDiff, epsilon).mul(o.AdversarialWeight));
    }

    private static void Minimise(TorchSharp.Modules.Parameter[] parameters, FoldInOptions o, Func<Tensor> loss)
    {
        using var adam = torch.optim.Adam(parameters, o.LearningRate);
        for (int step = 0; step < o.Steps; step++)
        {
            using var stepScope = torch.NewDisposeScope();
            adam.zero_grad();
            loss().backward();
            adam.step();
        }
    }
}
