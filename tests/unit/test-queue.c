/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-queue.c - round-robin across sections, then across connections
 *
 * The flooder and the victim are flows; sections are classes. Whatever
 * the flooder queues, the victim's next item comes out within one turn of
 * each other class and flow.
 */
#include "queue.h"
#include "tests.h"
#include "util/macro.h"

typedef struct Item {
        QueueItem item;
        int id;
} Item;

static int pop_id(Queue *q) {
        QueueItem *i = queue_pop(q);

        return i ? LIST_ENTRY(i, Item, item)->id : -1;
}

START_TEST(test_flows_alternate) {
        QueueFlow a, b;
        Item items[6];
        Queue q;

        queue_init(&q);
        queue_flow_init(&a);
        queue_flow_init(&b);
        for (int i = 0; i < 6; i++) {
                queue_item_init(&items[i].item);
                items[i].id = i;
        }
        /* a floods first (0, 1, 2, 3), then b queues two (4, 5) */
        for (int i = 0; i < 4; i++)
                ck_assert_int_eq(queue_push(&q, 7, &a, &items[i].item), 0);
        ck_assert_int_eq(queue_push(&q, 7, &b, &items[4].item), 0);
        ck_assert_int_eq(queue_push(&q, 7, &b, &items[5].item), 0);
        ck_assert_uint_eq(q.n_items, 6);

        ck_assert_int_eq(pop_id(&q), 0);
        ck_assert_int_eq(pop_id(&q), 4);
        ck_assert_int_eq(pop_id(&q), 1);
        ck_assert_int_eq(pop_id(&q), 5);
        ck_assert_int_eq(pop_id(&q), 2);
        ck_assert_int_eq(pop_id(&q), 3);
        ck_assert_int_eq(pop_id(&q), -1);
        ck_assert_ptr_null(q.tree);     /* idle classes are freed */
        queue_done(&q);
}
END_TEST

START_TEST(test_classes_alternate) {
        /* Section 1 has three busy connections, section 2 one: section 2
         * gets every other turn, not one in four. */
        QueueFlow f[4];
        Item items[12];
        Queue q;
        int n = 0, got[13];

        queue_init(&q);
        for (int i = 0; i < 4; i++)
                queue_flow_init(&f[i]);
        for (int i = 0; i < 12; i++) {
                queue_item_init(&items[i].item);
                items[i].id = i;
                /* items 0..8 in section 1 over flows 0..2; 9..11 in section 2, flow 3 */
                ck_assert_int_eq(queue_push(&q, i < 9 ? 1 : 2, &f[i < 9 ? i % 3 : 3], &items[i].item), 0);
        }
        while ((got[n] = pop_id(&q)) >= 0)
                n++;
        ck_assert_int_eq(n, 12);
        /* section 1 flow 0, section 2, section 1 flow 1, section 2, ... */
        ck_assert_int_eq(got[0], 0);
        ck_assert_int_eq(got[1], 9);
        ck_assert_int_eq(got[2], 1);
        ck_assert_int_eq(got[3], 10);
        ck_assert_int_eq(got[4], 2);
        ck_assert_int_eq(got[5], 11);
        ck_assert_int_eq(got[6], 3);
        queue_done(&q);
}
END_TEST

START_TEST(test_remove) {
        QueueFlow a, b;
        Item items[3];
        Queue q;

        queue_init(&q);
        queue_flow_init(&a);
        queue_flow_init(&b);
        for (int i = 0; i < 3; i++) {
                queue_item_init(&items[i].item);
                items[i].id = i;
        }
        ck_assert_int_eq(queue_push(&q, 1, &a, &items[0].item), 0);
        ck_assert_int_eq(queue_push(&q, 2, &b, &items[1].item), 0);
        ck_assert_int_eq(queue_push(&q, 2, &b, &items[2].item), 0);
        /* a's connection went away: its item leaves, and so does its class */
        queue_remove(&q, &items[0].item);
        queue_remove(&q, &items[0].item);       /* twice is harmless */
        ck_assert_ptr_null(a.klass);
        ck_assert_int_eq(pop_id(&q), 1);
        queue_remove(&q, &items[2].item);
        ck_assert_int_eq(pop_id(&q), -1);
        ck_assert_uint_eq(q.n_items, 0);
        queue_done(&q);
}
END_TEST

Suite *queue_suite(void) {
        Suite *s = suite_create("queue");
        TCase *tc = tcase_create("round-robin");

        tcase_add_test(tc, test_flows_alternate);
        tcase_add_test(tc, test_classes_alternate);
        tcase_add_test(tc, test_remove);
        suite_add_tcase(s, tc);
        return s;
}
