using System.Numerics.Tensors;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Evaluation;

/// <summary>
/// Measures how a trained <see cref="FactorizationModel"/> degrades under the APR attack (He et al., SIGIR 2018):
/// the gradient of the BPR loss −Σ ln σ(x_ui − x_uj) over the training positives (one seeded uniform negative j per
/// positive, x = p_u·q_i + b_i) is taken with respect to the user and item embeddings, each row's gradient is
/// scaled to L2 norm ε (rows with a zero gradient are left alone) and added to the embeddings; biases are untouched.
/// The perturbed model is then ranked with a <see cref="RankingEvaluator"/>.
/// </summary>
public sealed class RobustnessEvaluator
{
    /// <summary>Options for <see cref="RobustnessEvaluator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The perturbation sizes ε to evaluate (L2 norm per embedding row); each must be finite and non-negative.</summary>
        public double[] Epsilons { get; set; } = [0.5, 1.0];

        /// <summary>Seed for the negatives of the BPR loss whose gradient is the attack direction.</summary>
        public int Seed { get; set; }

        /// <summary>How the clean and attacked models are ranked.</summary>
        public RankingEvaluator.Options Ranking { get; set; } = new();
    }

    private readonly double[] _epsilons;
    private readonly int _seed;
    private readonly RankingEvaluator _ranking;

    /// <summary>Creates an evaluator; the options are validated and copied.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public RobustnessEvaluator(Options? options = null)
    {
        options ??= new Options();
        if (options.Epsilons is null || options.Epsilons.Length == 0) throw new ArgumentException("Options.Epsilons must name at least one noise level.", nameof(options));
        foreach (var e in options.Epsilons)
            if (!double.IsFinite(e) || e < 0) throw new ArgumentException($"Every ε must be finite and non-negative; got {e}.", nameof(options));
        _epsilons = options.Epsilons.ToArray();
        _seed = options.Seed;
        _ranking = new RankingEvaluator(options.Ranking ?? throw new ArgumentException("Options.Ranking must not be null.", nameof(options)));
    }

    /// <summary>
    /// Ranks the clean model once and the model attacked at every ε. <paramref name="train"/> and
    /// <paramref name="test"/> share the evaluation vocabularies, which may differ from the model's (see
    /// <see cref="FactorizationModelScorer"/>); training positives the model has no row for do not enter the gradient.
    /// </summary>
    public IReadOnlyList<RobustnessResult> Evaluate(FactorizationModel model, InteractionData train, InteractionData test)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        var clean = Rank(model, train, test);
        var (userDirection, itemDirection) = AttackDirections(model, train, _seed);
        return _epsilons.Select(e => new RobustnessResult(e, clean,
            Rank(Perturb(model, userDirection, itemDirection, (float)e), train, test))).ToArray();
    }

    /// <summary>The model attacked with noise level <paramref name="epsilon"/>, using this evaluator's seed.</summary>
    public FactorizationModel Attack(FactorizationModel model, InteractionData train, float epsilon)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        if (!float.IsFinite(epsilon) || epsilon < 0) throw new ArgumentException($"ε must be finite and non-negative; got {epsilon}.", nameof(epsilon));
        var (userDirection, itemDirection) = AttackDirections(model, train, _seed);
        return Perturb(model, userDirection, itemDirection, epsilon);
    }

    private RankingMetrics Rank(FactorizationModel model, InteractionData train, InteractionData test) =>
        _ranking.Evaluate(new FactorizationModelScorer(model, test.Users, test.Items), train, test);

    private static FactorizationModel Perturb(FactorizationModel model, float[] userDirection, float[] itemDirection, float epsilon)
    {
        var users = new float[model.UserFactors.Length];
        var items = new float[model.ItemFactors.Length];
        TensorPrimitives.MultiplyAdd(userDirection, epsilon, model.UserFactors, users);
        TensorPrimitives.MultiplyAdd(itemDirection, epsilon, model.ItemFactors, items);
        return new FactorizationModel(model.Users, model.Items, model.Dimension, users, items, model.ItemBias);
    }

    /// <summary>The BPR-loss gradient of every user and item row, each scaled to unit L2 norm (zero rows stay zero).</summary>
    private static (float[] Users, float[] Items) AttackDirections(FactorizationModel model, InteractionData train, int seed)
    {
        int d = model.Dimension, itemCount = model.Items.Count;
        var userGrad = new float[model.UserFactors.Length];
        var itemGrad = new float[model.ItemFactors.Length];
        var itemMap = new int[train.Items.Count];
        for (int i = 0; i < itemMap.Length; i++) itemMap[i] = model.Items.IndexOf(train.Items, i);
        var rng = new Random(seed);
        var positives = new List<int>();
        var difference = new float[d];
        for (int trainUser = 0; trainUser < train.Users.Count; trainUser++)
        {
            int u = model.Users.IndexOf(train.Users, trainUser);
            if (u < 0) continue;
            positives.Clear();
            foreach (var i in train.ItemsOf(trainUser)) if (itemMap[i] >= 0) positives.Add(itemMap[i]);
            if (positives.Count == 0 || positives.Count == itemCount) continue;
            positives.Sort();
            var p = model.UserFactors.AsSpan(u * d, d);
            var gp = userGrad.AsSpan(u * d, d);
            foreach (var i in positives)
            {
                int j;
                do j = rng.Next(itemCount); while (positives.BinarySearch(j) >= 0);
                var qi = model.ItemFactors.AsSpan(i * d, d);
                var qj = model.ItemFactors.AsSpan(j * d, d);
                double margin = model.Score(u, i) - model.Score(u, j);
                // d/dx of −ln σ(x) is −σ(−x).
                float g = (float)(1 / (1 + Math.Exp(margin)));
                TensorPrimitives.Subtract(qi, qj, difference);
                TensorPrimitives.MultiplyAdd(difference, -g, gp, gp);
                TensorPrimitives.MultiplyAdd(p, -g, itemGrad.AsSpan(i * d, d), itemGrad.AsSpan(i * d, d));
                TensorPrimitives.MultiplyAdd(p, g, itemGrad.AsSpan(j * d, d), itemGrad.AsSpan(j * d, d));
            }
        }
        NormalizeRows(userGrad, d);
        NormalizeRows(itemGrad, d);
        return (userGrad, itemGrad);
    }

    private static void NormalizeRows(float[] rows, int d)
    {
        for (int r = 0; r < rows.Length; r += d)
        {
            var row = rows.AsSpan(r, d);
            float norm = TensorPrimitives.Norm(row);
            if (norm > 0) TensorPrimitives.Divide(row, norm, row);
        }
    }
}
