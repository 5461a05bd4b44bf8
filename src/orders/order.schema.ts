import { Type, type Static } from '@sinclair/typebox';
import { ProjectIdParam } from '../http/wire.js';
import { StringEnum } from '../shared/string-enum.js';
import {
  ORDER_ID_ACTIONS,
  ORDER_ITEM_ACTIONS,
  ORDER_ITEM_STATUSES,
  ORDER_PAGE_DEFAULT,
  ORDER_PAGE_MAX,
  ORDER_PHASES,
  ORDER_RESOURCES,
} from './order.lifecycle.js';

/** An order as ListOrders shows it (orders-billing-terraform.md §1.2). */
export const Order = Type.Object(
  {
    orderName: Type.String({ description: 'What the pool label os.modelarts/order.name names' }),
    orderId: Type.String({ description: 'The billing side id (createOrderId answers it)' }),
    resourceName: Type.String({ description: "The pool's metadata.name" }),
    resourceType: StringEnum(ORDER_RESOURCES),
    action: Type.String({ description: 'What the order does (D-O2; not documented on the list)' }),
    phase: StringEnum(ORDER_PHASES),
    failReason: Type.String({ description: 'Why the order failed; empty otherwise' }),
    creationTimestamp: Type.Integer({ description: 'Milliseconds since the epoch' }),
    beginTimestamp: Type.Integer({ description: 'Milliseconds since the epoch; 0 while unpaid' }),
    endTimestamp: Type.Integer({ description: 'Milliseconds since the epoch; 0 until finished' }),
  },
  { $id: 'Order' },
);
export type Order = Static<typeof Order>;

export const OrderList = Type.Object(
  {
    count: Type.Integer({ description: 'Orders that match, before limit and offset' }),
    items: Type.Array(Order),
  },
  { $id: 'OrderList' },
);
export type OrderList = Static<typeof OrderList>;

/** One resource an order touches (SDK OrderDetailItem; its timestamps are strings of ms). */
export const OrderDetailItem = Type.Object(
  {
    resourceName: Type.String({ description: 'The pool for pool items, the node name for node items' }),
    action: StringEnum(ORDER_ITEM_ACTIONS),
    status: StringEnum(ORDER_ITEM_STATUSES),
    beginTimestamp: Type.String({ description: 'Milliseconds since the epoch, as digits' }),
    updateTimestamp: Type.String({ description: 'Milliseconds since the epoch, as digits' }),
    message: Type.String({ description: 'Why the item failed; empty otherwise' }),
  },
  { $id: 'OrderDetailItem' },
);

/** ShowOrder (SDK ShowOrderResponse). */
export const OrderDetail = Type.Object(
  { count: Type.Integer(), items: Type.Array(OrderDetailItem) },
  { $id: 'OrderDetail' },
);
export type OrderDetail = Static<typeof OrderDetail>;

const Millis = (description: string) => Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000, description });

/** An order's name: what D-O5 makes of a pool name (letters, digits, dots, dashes). */
export const ORDER_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,191}$';

export const ListOrdersQuery = Type.Object({
  workspaceId: Type.Optional(
    Type.String({ minLength: 1, maxLength: 64, description: 'Absent: all workspaces (D-O1)' }),
  ),
  involvedName: Type.Optional(
    Type.String({ minLength: 1, maxLength: 128, description: "The pool's metadata.name or display name" }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: ORDER_PAGE_MAX, default: ORDER_PAGE_DEFAULT })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: ORDER_PAGE_MAX })),
  since: Type.Optional(Millis('Orders created at or after this time')),
  until: Type.Optional(Millis('Orders created at or before this time')),
  phase: Type.Optional(StringEnum(ORDER_PHASES)),
  resource: Type.Optional(StringEnum(ORDER_RESOURCES)),
});
export type ListOrdersQuery = Static<typeof ListOrdersQuery>;

export const OrderParams = Type.Object({
  project_id: ProjectIdParam,
  order_name: Type.String({ pattern: ORDER_NAME_PATTERN }),
});

/** The SDK names the pool `name` in this path; the wire does not carry parameter names. */
/** The emulator's pay control: order names are unique in the installation. */
export const PayParams = Type.Object({ order_name: Type.String({ pattern: ORDER_NAME_PATTERN }) });

export const OrderIdParams = Type.Object({
  project_id: ProjectIdParam,
  pool_name: Type.String({ minLength: 1, maxLength: 128 }),
});

export const CreateOrderIdQuery = Type.Object({
  actionType: Type.Optional(StringEnum(ORDER_ID_ACTIONS)),
  workspaceId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});

/** SDK CreateOrderRequestBody: optional, `{}` when absent. */
export const CreateOrderIdBody = Type.Object({ actionType: Type.Optional(StringEnum(ORDER_ID_ACTIONS)) });

export const CreatedOrderId = Type.Object({ id: Type.String() }, { $id: 'CreatedOrderId' });
export type CreatedOrderId = Static<typeof CreatedOrderId>;
