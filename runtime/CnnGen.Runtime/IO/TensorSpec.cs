using System;
using System.ComponentModel;

namespace CnnGen.IO
{
    /// <summary>One named tensor of a network's parameters: its PyTorch name and shape, and where it sits in the flat parameters.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class TensorSpec
    {
        /// <summary>Describes tensor <paramref name="name"/> of <paramref name="shape"/> at <paramref name="offset"/> in the flat parameters.</summary>
        public TensorSpec(string name, int[] shape, int offset)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            Shape = shape ?? throw new ArgumentNullException(nameof(shape));
            Offset = offset;
            long length = 1;
            foreach (int dimension in shape)
            {
                length *= dimension;
            }

            Length = checked((int)length);
        }

        private TensorSpec(string name, int counter)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            Shape = Array.Empty<int>();
            Offset = counter;
            Length = 1;
            IsCounter = true;
        }

        /// <summary>
        /// A batch norm's <c>num_batches_tracked</c>: an I64 scalar (shape <c>[]</c>) kept at <paramref name="index"/> of the
        /// network's counters, accepted when present and written on save, so that PyTorch's <c>load_state_dict(strict=True)</c>
        /// takes a file CnnGen wrote.
        /// </summary>
        public static TensorSpec Counter(string name, int index) => new(name, index);

        /// <summary>Whether this is an I64 counter (<see cref="Counter"/>): <see cref="Offset"/> is then its index among the counters.</summary>
        public bool IsCounter { get; }

        /// <summary>The state_dict name, such as <c>conv1.weight</c>.</summary>
        public string Name { get; }

        /// <summary>PyTorch's shape: conv <c>[K, D, F, F]</c> and <c>[K]</c>, fully-connected <c>[out, in]</c> and <c>[out]</c>.</summary>
        public int[] Shape { get; }

        /// <summary>Where the tensor starts in the flat parameters.</summary>
        public int Offset { get; }

        /// <summary>The number of elements.</summary>
        public int Length { get; }

        /// <summary>The shape as PyTorch prints it: [6, 1, 5, 5].</summary>
        public string ShapeText => "[" + string.Join(", ", Shape) + "]";
    }
}
